import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/**
 * The built editor (`apps/editor/dist`). Resolved from this module, which sits
 * one folder below `apps/api` both as source (`src/`) and as the production
 * bundle (`dist/`), so the same path works under tsx and in the Docker image.
 */
export const EDITOR_DIST = fileURLToPath(new URL('../../editor/dist', import.meta.url))

/**
 * The editor's Content-Security-Policy: scripts, data and frames from our own
 * origin only. Styles may be inline (Vue Flow positions nodes with them);
 * images may be data: URIs (the icon) or our attachments (inline images of mail,
 * shown in a sandboxed frame that inherits this policy).
 */
export const EDITOR_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Paths that belong to the server, never to the single-page app. */
const SERVER_PATHS = /^\/(api|internal|webhooks|dev)(\/|$)|^\/(healthz|readyz|metrics)$/

/**
 * Serves the built editor: its files as they are (hashed assets cached for a
 * year, index.html never), and index.html for any other GET that is not a
 * server path, so the SPA's own routes survive a reload. Registers nothing
 * when the editor was not built (API-only deployments, API tests).
 */
export const editorRoutes: FastifyPluginAsync<{ root?: string }> = async (app, options) => {
  const root = options.root ?? EDITOR_DIST
  if (!existsSync(`${root}/index.html`)) {
    app.log.info({ root }, 'editor not built; serving the API only')
    return
  }
  // Only our own scripts run, even if customer mail ever slipped markup past the sanitiser (defence in depth),
  // and no other site may frame the editor (clickjacking: a hidden frame tricking an admin into a click).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-frame-options', 'DENY')
    reply.header('content-security-policy', EDITOR_CSP)
    reply.header('referrer-policy', 'same-origin')
    reply.header('x-content-type-options', 'nosniff')
  })
  await app.register(fastifyStatic, {
    root,
    // One route per built file, so the SPA fallback below can own `/*`.
    wildcard: false,
    setHeaders(reply, path) {
      reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (SERVER_PATHS.test(path) || !request.headers.accept?.includes('text/html')) return reply.callNotFound()
    return reply.sendFile('index.html')
  })
}
