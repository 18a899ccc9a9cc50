/** Why a send failed, in the house's `SCREAMING_SNAKE` codes. */
export const MAIL_SEND_ERRORS = {
  rateLimited: 'MAIL_RATE_LIMITED',
  providerUnavailable: 'MAIL_PROVIDER_UNAVAILABLE',
  network: 'MAIL_NETWORK',
  rejected: 'MAIL_REJECTED',
  invalid: 'MAIL_INVALID',
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

/** The fields of mailgun.js' `APIError` this module reads. */
interface MailgunApiError {
  status: number
  message: string
  details: string
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
  return /^E[A-Z_]+$/.test(error.message) && error.message !== 'ERR_BAD_REQUEST' && error.message !== 'ERR_BAD_RESPONSE'
}

/** Mailgun's reason for an answer: the `message` of its JSON body, or its plain text. */
function reasonOf(error: MailgunApiError): string {
  return error.details || error.message || `HTTP ${error.status}`
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
    return new MailSendError(MAIL_SEND_ERRORS.network, `${error.message}: ${error.details}`, true, undefined, { cause: error })
  }
  if (status === 429) return new MailSendError(MAIL_SEND_ERRORS.rateLimited, reasonOf(error), true, status, { cause: error })
  if (status >= 500) return new MailSendError(MAIL_SEND_ERRORS.providerUnavailable, reasonOf(error), true, status, { cause: error })
  return new MailSendError(MAIL_SEND_ERRORS.rejected, reasonOf(error), false, status, { cause: error })
}
