import { createHmac, timingSafeEqual } from 'node:crypto'
import type { WebhookSignature } from './inbound-mail.ts'

/** Mailgun's signature of a webhook: hex(HMAC-SHA256(signing key, timestamp + token)). */
export function signatureFor(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(timestamp + token).digest('hex')
}

/**
 * Whether Mailgun signed these fields with our webhook signing key, compared in
 * constant time. No freshness window: Mailgun retries a delivery for about 8 hours
 * with its original signature, so replays are refused by remembering tokens instead.
 */
export function verifyWebhookSignature(signingKey: string, fields: Partial<WebhookSignature>): boolean {
  const { timestamp, token, signature } = fields
  if (!timestamp || !token || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return false
  const expected = Buffer.from(signatureFor(signingKey, timestamp, token), 'hex')
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
}
