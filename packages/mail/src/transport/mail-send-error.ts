/** Why a send failed, in the house's `SCREAMING_SNAKE` codes. */
export const MAIL_SEND_ERRORS = {
  rateLimited: 'MAIL_RATE_LIMITED',
  providerUnavailable: 'MAIL_PROVIDER_UNAVAILABLE',
  network: 'MAIL_NETWORK',
  rejected: 'MAIL_REJECTED',
  invalid: 'MAIL_INVALID',
  /** The sender's own setup is wrong (a worker sending to a dev mailbox the API does not have): an operator can fix it, so never final. */
  misconfigured: 'MAIL_MISCONFIGURED',
} as const
export type MailSendErrorCode = (typeof MAIL_SEND_ERRORS)[keyof typeof MAIL_SEND_ERRORS]

/**
 * A failed send. `retryable` is the one thing a caller must decide on: 429,
 * 5xx, timeouts and network errors may succeed later; any other 4xx never
 * will, and `message` carries Mailgun's reason.
 */
export class MailSendError extends Error {
  override readonly name = 'MailSendError'
  constructor(
    readonly code: MailSendErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/**
 * The fields of mailgun.js' `APIError` this module reads. `message` is not
 * always a string: mailgun.js takes it from a JSON body's `error` field as it
 * is, and a server that is not Mailgun (the API without its dev mailbox
 * answers `{ error: { code, message } }`) makes it an object.
 */
interface MailgunApiError {
  status: number
  message: unknown
  details: unknown
}

function isMailgunApiError(error: unknown): error is MailgunApiError {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' && 'details' in error
}

/**
 * mailgun.js reports a request that got no answer (refused, reset, timed out)
 * as status 400 with the socket's error code as its message, e.g.
 * `ECONNREFUSED` or `ECONNABORTED`. Axios' own codes for real answers
 * (`ERR_BAD_REQUEST`, `ERR_BAD_RESPONSE`) are not network failures.
 */
function isNetworkFailure(error: MailgunApiError): boolean {
  return typeof error.message === 'string' && /^E[A-Z_]+$/.test(error.message) && error.message !== 'ERR_BAD_REQUEST' && error.message !== 'ERR_BAD_RESPONSE'
}

/** Longest reason kept from an answer that is not Mailgun's (an HTML error page, a JSON body). */
const MAX_REASON = 500

/** Readable text of a body field: a string as it is, `{ code, message }` as "code: message", anything else as JSON. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'object') return String(value)
  const message = 'message' in value && typeof value.message === 'string' ? value.message : ''
  const code = 'code' in value && typeof value.code === 'string' ? value.code : ''
  if (message) return code ? `${code}: ${message}` : message
  return JSON.stringify(value)
}

/** Mailgun's reason for an answer: the `message` of its JSON body, or its plain text; never "[object Object]". */
function reasonOf(error: MailgunApiError): string {
  const reason = textOf(error.details) || textOf(error.message) || `HTTP ${error.status}`
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason
}

/** Classifies whatever mailgun.js threw into a `MailSendError`. */
export function classifySendError(error: unknown): MailSendError {
  if (error instanceof MailSendError) return error
  if (!isMailgunApiError(error)) {
    const message = error instanceof Error ? error.message : String(error)
    return new MailSendError(MAIL_SEND_ERRORS.network, message, true, undefined, { cause: error })
  }
  const { status } = error
  if (isNetworkFailure(error)) {
    return new MailSendError(MAIL_SEND_ERRORS.network, `${textOf(error.message)}: ${textOf(error.details)}`, true, undefined, { cause: error })
  }
  if (status === 429) return new MailSendError(MAIL_SEND_ERRORS.rateLimited, reasonOf(error), true, status, { cause: error })
  if (status >= 500) return new MailSendError(MAIL_SEND_ERRORS.providerUnavailable, reasonOf(error), true, status, { cause: error })
  return new MailSendError(MAIL_SEND_ERRORS.rejected, reasonOf(error), false, status, { cause: error })
}
