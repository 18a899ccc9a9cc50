import cookie from '@fastify/cookie'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { DEV_MAILBOX } from '@replyflow/mail'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { authorize, installAccessControl } from './auth/access.ts'
import { apiKeyRoutes } from './auth/api-keys.routes.ts'
import { authRoutes } from './auth/auth.routes.ts'
import type { AppDeps } from './deps.ts'
import { installErrorHandler } from './error-handler.ts'
import { flowRoutes } from './flows/flows.routes.ts'
import { ApiError } from './errors.ts'
import { agentRoutes } from './agents/agents.routes.ts'
import { conversationRoutes } from './conversations/conversations.routes.ts'
import { customerRoutes } from './customers/customers.routes.ts'
import { healthRoutes } from './health.routes.ts'
import { settingsRoutes } from './settings/settings.routes.ts'
import { internalRoutes } from './internal/internal.routes.ts'
import { attachmentRoutes } from './attachments/attachments.routes.ts'
import { suppressionRoutes } from './suppressions/suppressions.routes.ts'
import { mailgunWebhookRoutes } from './webhooks/mailgun.routes.ts'
import { runRoutes } from './runs/runs.routes.ts'
import { createDevMailbox } from './dev-mailbox.ts'
import { editorRoutes } from './editor.routes.ts'
import { metricsRoutes } from './metrics.routes.ts'
import { OPENAPI_TAGS, openApiTransform } from './openapi.ts'

/** Largest JSON body accepted (a flow of FLOW_LIMITS size fits well within it). */
export const BODY_LIMIT = 1024 * 1024

/**
 * Builds the Fastify app: external plugins, then app plugins, then routes,
 * with one error handler. Opens nothing itself: connections come in `deps`.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request of our own (below), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.config.trustProxy,
    // Ids in our URLs are short; a long URL is an attack or a bug.
    routerOptions: { maxParamLength: 200 },
  })
    .setValidatorCompiler(TypeBoxValidatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>()

  installErrorHandler(app)
  // Our routes take JSON (and Mailgun's forms, parsed in the webhooks' scope): a text body is a client's mistake, 415.
  app.removeContentTypeParser('text/plain')

  await app.register(cookie)
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'API_RATE_LIMITED', `too many attempts, try again in ${context.after}`),
  })
  await app.register(swagger, {
    transform: openApiTransform,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Replyflow API',
        version: '1.0.0',
        description:
          'Two-way customer e-mail: flows, runs, conversations. Call it with the session cookie of `POST /api/v1/auth/login`, or with `Authorization: Bearer <key>`, a key made with `POST /api/v1/api-keys` while logged in. Errors are `{ "error": { "code", "message", "details"? } }`.',
      },
      tags: OPENAPI_TAGS,
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'rf_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
  })
  // The docs page and its copies of the document need a login, like the API they describe.
  await app.register(swaggerUi, {
    routePrefix: '/api/v1/docs',
    uiHooks: {
      async onRequest(request) {
        authorize(deps, request, 'user')
      },
    },
  })

  await app.register(healthRoutes, { deps })
  // Machine-to-machine hot paths: no per-request info logs (inbound mail logs its own line; errors still log).
  await app.register(mailgunWebhookRoutes, { deps, logLevel: 'warn' })
  await app.register(metricsRoutes, { deps })
  const devMailbox = deps.config.devMailbox ? createDevMailbox(deps) : null
  if (devMailbox) await app.register(devMailbox.plugin, { prefix: DEV_MAILBOX.path })

  await app.register(
    async (api) => {
      installAccessControl(api, deps)
      // A line per request of the public API: changes at info, reads at debug (the editor polls the inbox and runs,
      // and `pnpm start`'s output must stay readable). Webhooks and the worker surface are hot paths and log their own.
      api.addHook('onResponse', async (request, reply) => {
        const level = request.method === 'GET' || request.method === 'HEAD' ? 'debug' : 'info'
        request.log[level]({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
      })
      api.get('/openapi.json', { config: { access: 'user' }, schema: { hide: true } }, async () => app.swagger())
      await api.register(authRoutes, { deps })
      await api.register(apiKeyRoutes, { deps })
      await api.register(attachmentRoutes, { deps })
      await api.register(suppressionRoutes, { deps })
      await api.register(flowRoutes, { deps })
      await api.register(runRoutes, { deps })
      await api.register(agentRoutes, { deps })
      await api.register(customerRoutes, { deps })
      // The dev mailbox's team-address route follows the setting.
      await api.register(settingsRoutes, { deps, onOfflineEmailChange: () => devMailbox?.syncRoutes() })
      await api.register(conversationRoutes, { deps })
    },
    { prefix: '/api/v1' },
  )
  await app.register(internalRoutes, { deps, prefix: '/internal/v1', logLevel: 'warn' })

  // Last: its fallback serves the editor's index.html for paths no route above claimed.
  await app.register(editorRoutes)

  return app
}
