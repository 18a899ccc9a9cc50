import Type from 'typebox'

/** The one error shape of the API: `{ error: { code, message, details? } }`. */
export const ErrorResponseSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
)

/** A user error: the client can fix it; answered with its status and code. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ApiError'
  }
}

/** 404 for a missing resource, e.g. `notFound('flow', id)` → `API_FLOW_NOT_FOUND`. */
export function notFound(resource: string, id: string): ApiError {
  return new ApiError(404, `API_${resource.toUpperCase().replace(/[^A-Z]+/g, '_')}_NOT_FOUND`, `no ${resource} "${id}"`)
}

/** 409 for a request that clashes with the current state. */
export function conflict(code: string, message: string, details?: unknown): ApiError {
  return new ApiError(409, code, message, details)
}

/** 422 for well-formed input that breaks a rule. */
export function unprocessable(code: string, message: string, details?: unknown): ApiError {
  return new ApiError(422, code, message, details)
}

/** 401: no or bad credentials. */
export function unauthorized(message = 'log in or send an API key'): ApiError {
  return new ApiError(401, 'API_UNAUTHORIZED', message)
}

/** 403: authenticated, but not allowed. */
export function forbidden(message = 'only an admin may do this'): ApiError {
  return new ApiError(403, 'API_FORBIDDEN', message)
}
