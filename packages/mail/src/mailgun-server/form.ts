import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'

/** Mailgun refuses messages over 25 MB; leave room for the form encoding around them. */
export const MAX_BODY_BYTES = 26 * 1024 * 1024

export const FormFileSchema = Type.Object({
  field: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  /** The file's bytes (the parser puts a Buffer here; JSON Schema has no word for it). */
  content: Type.Unsafe<Buffer>({}),
})

/** A posted form (urlencoded or multipart): every field keeps all its values, in order. */
export const FormSchema = Type.Object({
  fields: Type.Record(Type.String(), Type.Array(Type.String())),
  files: Type.Array(FormFileSchema),
})
export type Form = Static<typeof FormSchema>

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data']

/**
 * Parses both of Mailgun's request encodings into a `Form`. It uses the
 * platform's own form parser (undici's `Response#formData`) instead of
 * @fastify/formbody and @fastify/multipart, because those decorate the whole
 * app and would clash when this server is mounted inside an app that
 * registered them already.
 */
export function useFormBodies(app: FastifyInstance): void {
  for (const type of FORM_TYPES) {
    // Parsers are per encapsulation context: replacing them here leaves the host app's alone.
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type)
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, async (request: FastifyRequest, body: Buffer) => {
      const contentType = request.headers['content-type'] ?? type
      try {
        return await parseForm(body, contentType)
      } catch (cause) {
        throw Object.assign(new Error('the form body could not be parsed', { cause }), { statusCode: 400 })
      }
    })
  }
}

/** Reads an encoded form body into fields and files. */
export async function parseForm(body: Buffer, contentType: string): Promise<Form> {
  const data = await new Response(body, { headers: { 'content-type': contentType } }).formData()
  const form: Form = { fields: {}, files: [] }
  for (const [name, value] of data.entries()) {
    if (typeof value === 'string') (form.fields[name] ??= []).push(value)
    else {
      const content = Buffer.from(await value.arrayBuffer())
      // An untyped part (mailgun.js sends a bare Buffer so) is what Mailgun calls application/octet-stream.
      form.files.push({ field: name, filename: value.name, contentType: value.type || 'application/octet-stream', size: content.length, content })
    }
  }
  return form
}

/**
 * Splits an address list on the commas between addresses, not those inside a
 * quoted display name (`"Doe, Jane" <jane@example.com>`).
 */
export function splitAddresses(values: readonly string[]): string[] {
  const addresses: string[] = []
  for (const value of values) {
    let current = ''
    let quoted = false
    let angle = false
    for (const char of value) {
      if (char === '"') quoted = !quoted
      else if (char === '<' && !quoted) angle = true
      else if (char === '>' && !quoted) angle = false
      if (char === ',' && !quoted && !angle) {
        if (current.trim()) addresses.push(current.trim())
        current = ''
      } else current += char
    }
    if (current.trim()) addresses.push(current.trim())
  }
  return addresses
}
