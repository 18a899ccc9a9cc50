import type { FastifyError, FastifyInstance } from 'fastify'
import { ApiError } from './errors.ts'
import { validationDetails } from './validation-errors.ts'

interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

const body = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
})

// Fastify's own client errors, mapped to our codes.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_INVALID_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && 'code' in error
}

/**
 * The one error handler: every failure answers `{ error: { code, message, details? } }`.
 * 5xx messages are hidden from the client and logged with their stack.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.statusCode).send(body(error.code, error.message, error.details))
    }
    if (isFastifyError(error) && error.validation) {
      const details = validationDetails(error.validationContext ?? '', error.validation)
      const first = details[0]
      const message = first ? `${first.path || 'request'}: ${first.message}` : 'request is invalid'
      return reply.status(400).send(body('API_VALIDATION', message, details))
    }
    if (isFastifyError(error) && error.statusCode && error.statusCode < 500) {
      const code = FASTIFY_CODES[error.code] ?? (error.statusCode === 429 ? 'API_RATE_LIMITED' : 'API_BAD_REQUEST')
      return reply.status(error.statusCode).send(body(code, error.message))
    }
    request.log.error({ err: error }, 'request failed')
    return reply.status(500).send(body('API_INTERNAL', 'internal server error'))
  })

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send(body('API_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`))
  })
}
