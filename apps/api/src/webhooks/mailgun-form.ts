import type { FastifyRequest } from 'fastify'
import type { UploadedFile } from '@replyflow/mail'
import { ApiError } from '../errors.ts'
import { ATTACHMENT_LIMITS } from '../mail/attachment-store.ts'

/**
 * Limits of a forward() post: Mailgun caps a message at 25 MB; fields can be large (body-html, body-mime).
 * `files` bounds the parsing work, far above what a mail carries: files past ATTACHMENT_LIMITS are read
 * and dropped (the mail is stored, flagged), only a post with more than `files` is refused (413).
 */
export const FORM_LIMITS = {
  bodyBytes: 40 * 1024 * 1024,
  fieldBytes: 30 * 1024 * 1024,
  fields: 1_000,
  files: 1_000,
} as const

/** The files of a multipart post, kept beside `request.body` (which holds the text fields, for the schema). */
const uploads = new WeakMap<FastifyRequest, { files: UploadedFile[]; truncated: boolean }>()

const tooLarge = () => new ApiError(413, 'API_BODY_TOO_LARGE', `the post is larger than ${FORM_LIMITS.bodyBytes / 1024 / 1024} MB`)

/**
 * preValidation hook: reads a multipart post into text fields (set as the body,
 * so the route's schema validates them like an urlencoded post) and files.
 * Files past ATTACHMENT_LIMITS (too large, past the total, past the count) are
 * dropped, not refused: the mail itself still counts; only the kept ones are held in memory.
 * The whole post is held to `bodyBytes`, as an urlencoded one is by Fastify: it
 * runs before the signature is checked, so an unsigned post must not make us
 * read (or keep) more than that.
 */
export async function collectMultipart(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return
  if (Number(request.headers['content-length']) > FORM_LIMITS.bodyBytes) throw tooLarge()
  let bytesRead = 0
  const count = (bytes: number) => {
    bytesRead += bytes
    if (bytesRead > FORM_LIMITS.bodyBytes) throw tooLarge()
  }
  const fields: Record<string, string> = {}
  const files: UploadedFile[] = []
  let truncated = false
  let total = 0
  const parts = request.parts({
    limits: { fieldSize: FORM_LIMITS.fieldBytes, fields: FORM_LIMITS.fields, files: FORM_LIMITS.files, fileSize: ATTACHMENT_LIMITS.fileBytes, parts: FORM_LIMITS.fields + FORM_LIMITS.files },
  })
  for await (const part of parts) {
    if (part.type === 'field') {
      count(typeof part.value === 'string' ? Buffer.byteLength(part.value) : 0)
      if (typeof part.value === 'string' && !(part.fieldname in fields)) fields[part.fieldname] = part.value
      continue
    }
    if (files.length >= ATTACHMENT_LIMITS.count) {
      // Read past it (the fields after it still count), keep nothing. Iterating, not waiting for 'end':
      // an aborted post errors the stream and never ends it, and must fail this request, not hang it.
      for await (const dropped of part.file) count((dropped as Buffer).length)
      truncated = true
      continue
    }
    const chunks: Buffer[] = []
    for await (const chunk of part.file) {
      count((chunk as Buffer).length)
      chunks.push(chunk as Buffer)
    }
    const content = Buffer.concat(chunks)
    if (part.file.truncated || total + content.length > ATTACHMENT_LIMITS.totalBytes) {
      truncated = true
      continue
    }
    total += content.length
    files.push({ field: part.fieldname, filename: part.filename, contentType: part.mimetype, content })
  }
  request.body = fields
  uploads.set(request, { files, truncated })
}

/** The files collected from a multipart post (none for urlencoded), and whether any was too large. */
export function uploadsOf(request: FastifyRequest): { files: UploadedFile[]; truncated: boolean } {
  return uploads.get(request) ?? { files: [], truncated: false }
}

/** Text fields with repeated names reduced to their first value (urlencoded parsers give arrays for those). */
export function firstValues(body: Readonly<Record<string, string | string[]>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined) out[name] = first
  }
  return out
}
