import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Device cookies, as OWASP describes them against lockout ("Slow Down Online
 * Guessing Attacks with Device Cookies"): a browser that logged in to an
 * account carries a signed cookie naming that account, and its failed logins
 * are counted per device, not against the account. Guessing from anywhere else
 * can still lock the account, but not its owner's own browsers.
 *
 * The cookie is `<nonce>.<signature>`, the signature an HMAC of the user id and
 * the nonce: it names no account in the clear and can't be moved to another one.
 */
export const DEVICE_COOKIE = 'rf_device'

/** How long a browser stays known after its last successful login. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60

function signatureOf(key: string, userId: string, nonce: string): Buffer {
  return createHmac('sha256', key).update(`device:${userId}:${nonce}`).digest()
}

/** A new device cookie value for `userId`. */
export function issueDeviceCookie(key: string, userId: string): string {
  const nonce = randomBytes(16).toString('base64url')
  return `${nonce}.${signatureOf(key, userId, nonce).toString('base64url')}`
}

/** The device's nonce when `cookie` is a genuine device cookie of `userId`; null otherwise. */
export function knownDevice(key: string, cookie: string | undefined, userId: string): string | null {
  const [nonce, signature, ...rest] = (cookie ?? '').split('.')
  if (!nonce || !signature || rest.length > 0) return null
  const given = Buffer.from(signature, 'base64url')
  const expected = signatureOf(key, userId, nonce)
  return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null
}
