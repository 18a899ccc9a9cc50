import { normaliseLineEnds } from './text.ts'
import type { InboundAttachment, InboundMail } from './inbound-mail.ts'
import { bareAddresses, parseHeaderPairs } from './parsed-headers.ts'

/** A file field of a multipart forward() post (`attachment-1` …), read into memory. */
export interface UploadedFile {
  field: string
  filename: string
  contentType: string
  content: Buffer
}

/** A forward() post as the web framework hands it over: text fields and file fields. */
export interface ForwardPost {
  fields: Readonly<Record<string, string | undefined>>
  files: readonly UploadedFile[]
}

/** Mailgun's own fields are lower-case; a field with an upper-case letter is a header in its original case. */
function looksLikeHeader(field: string): boolean {
  return /[A-Z]/.test(field)
}

function headerPairs(fields: ForwardPost['fields']): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  const raw = fields['message-headers']
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw)
      if (Array.isArray(parsed)) {
        for (const entry of parsed) {
          if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') pairs.push([entry[0], entry[1]])
        }
      }
    } catch {
      // Malformed message-headers: the per-header fields below still carry every header.
    }
  }
  const seen = new Set(pairs.map(([name]) => name.toLowerCase()))
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined && looksLikeHeader(field) && !seen.has(field.toLowerCase())) pairs.push([field, value])
  }
  // The lower-case summary fields stand in for headers Mailgun left out of both.
  const has = (name: string): boolean => pairs.some(([key]) => key.toLowerCase() === name)
  if (!has('from') && fields.from) pairs.push(['From', fields.from])
  if (!has('subject') && fields.subject) pairs.push(['Subject', fields.subject])
  return pairs
}

/** `content-id-map` is `{"<cid>": "attachment-1"}`: invert it to field → cid (without brackets). */
function contentIdsByField(raw: string | undefined): Map<string, string> {
  const byField = new Map<string, string>()
  if (!raw) return byField
  try {
    const parsed: unknown = JSON.parse(raw)
    if (parsed && typeof parsed === 'object') {
      for (const [cid, field] of Object.entries(parsed)) {
        if (typeof field === 'string') byField.set(field, cid.replace(/^<|>$/g, ''))
      }
    }
  } catch {
    // A broken map only costs inline images their mapping; they stay downloadable attachments.
  }
  return byField
}

function attachmentsOf(post: ForwardPost): InboundAttachment[] {
  const cids = contentIdsByField(post.fields['content-id-map'])
  const numbered = (field: string): number => Number(/^attachment-(\d+)$/.exec(field)?.[1] ?? Number.MAX_SAFE_INTEGER)
  return [...post.files]
    .filter((file) => file.field.startsWith('attachment'))
    .sort((a, b) => numbered(a.field) - numbered(b.field))
    .map((file) => ({
      filename: file.filename || file.field,
      contentType: file.contentType || 'application/octet-stream',
      size: file.content.length,
      content: file.content,
      contentId: cids.get(file.field) ?? null,
    }))
}

/** Normalises Mailgun's parsed forward() post (urlencoded or multipart) into an {@link InboundMail}. */
export async function parseForwardPost(post: ForwardPost): Promise<InboundMail> {
  const { fields } = post
  const headers = headerPairs(fields)
  const parsed = await parseHeaderPairs(headers)
  const stripped = fields['stripped-text']
  return {
    recipient: fields.recipient ?? '',
    recipients: bareAddresses(fields.recipient),
    sender: fields.sender ?? null,
    ...parsed,
    text: normaliseLineEnds(fields['body-plain'] ?? ''),
    strippedText: stripped === undefined ? null : normaliseLineEnds(stripped),
    rawHtml: fields['stripped-html'] || fields['body-html'] || null,
    headers,
    attachments: attachmentsOf(post),
  }
}
