import { createReadStream, type ReadStream } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { errorResponses, IdParams } from '../schemas.ts'
import { findStoredAttachment } from './stored-attachment.ts'

/** Types a browser may show inline; anything else (HTML, SVG, scripts) is downloaded, never rendered on our origin. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'])

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
function contentDisposition(type: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

/** `GET /attachments/:id`: an attachment's bytes, for logged-in users only. */
export const attachmentRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/attachments/:id',
    {
      config: { access: 'user' },
      schema: {
        tags: ['conversations'],
        summary: "Download a message's attachment",
        params: IdParams,
        response: { 200: Type.Unsafe<ReadStream>({ type: 'string', format: 'binary' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { attachment, path } = await findStoredAttachment(deps, request.params.id)
      const type = attachment.contentType.toLowerCase().split(';')[0]?.trim() ?? ''
      const inline = INLINE_TYPES.has(type)
      return reply
        .header('content-type', inline ? attachment.contentType : 'application/octet-stream')
        .header('content-length', attachment.size)
        .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', attachment.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .send(createReadStream(path))
    },
  )
}
