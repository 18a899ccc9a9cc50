/** The documented error shape of every API answer that fails (DESIGN.md §4). */
export interface ApiErrorBody {
  code: string
  message: string
  details?: unknown
}

/** A failed API call: the server's code and message, or `NETWORK` when it could not be reached. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: unknown

  constructor(status: number, body: ApiErrorBody) {
    super(body.message)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.details = body.details
  }
}

function isErrorBody(value: unknown): value is { error: ApiErrorBody } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false
  const error = value.error
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string'
}

type Listener = (error: ApiError) => void
const unauthorizedListeners = new Set<Listener>()

/** Called whenever a call answers 401 (the session ended); returns an unsubscribe function. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

export interface RequestOptions {
  /** JSON body, or a form (sent `application/x-www-form-urlencoded`, as Mailgun's API takes it). */
  body?: unknown
  headers?: Record<string, string>
  /** Don't report a 401 as an ended session (the login call itself, the session probe). */
  quietUnauthorized?: boolean
}

/**
 * Calls the API with the session cookie and JSON both ways. Resolves with the
 * parsed answer (undefined for 204); rejects with an ApiError.
 */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  const form = options.body instanceof URLSearchParams
  if (options.body !== undefined && !form) headers['content-type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : options.body instanceof URLSearchParams ? options.body : JSON.stringify(options.body),
    })
  } catch (cause) {
    throw new ApiError(0, { code: 'NETWORK', message: cause instanceof Error ? cause.message : String(cause) })
  }
  const text = await response.text()
  if (!response.ok) {
    const parsed = readJson(text)
    const error = new ApiError(
      response.status,
      isErrorBody(parsed) ? parsed.error : { code: `HTTP_${response.status}`, message: response.statusText || 'request failed' },
    )
    if (response.status === 401 && !options.quietUnauthorized) for (const listener of unauthorizedListeners) listener(error)
    throw error
  }
  return answerOf<T>(text)
}

function readJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text)
  } catch {
    // A proxy's HTML error page, say: the status alone has to do.
    return undefined
  }
}

/** A successful answer: its shape is the one the route's response schema (OpenAPI) documents. */
function answerOf<T>(text: string): T {
  // 204 and other empty answers read as null.
  return JSON.parse(text === '' ? 'null' : text)
}
