import { putSetting } from '@replyflow/db'
import { buildForwardPost, encodePost, type MailDescription, type SignOptions } from '@replyflow/mail/testing'
import type { Logger } from 'pino'
import { buildTestApp, type TestApp } from './helper.ts'

// What the tests of Mailgun's webhooks share: the signing key, the team address, a customer's mail.

export const SIGNING_KEY = 'test-webhook-signing-key'
export const TEAM = 'support@acme.example'
export const sign: SignOptions = { signingKey: SIGNING_KEY }

/** A test app that checks Mailgun's signatures with SIGNING_KEY, its team address TEAM. */
export async function buildMailgunTestApp(options: { logger?: Logger; producerRedisUrl?: string } = {}): Promise<TestApp> {
  const t = await buildTestApp({ MAILGUN_WEBHOOK_SIGNING_KEY: SIGNING_KEY }, options)
  putSetting(t.db, 'offline-email', { senderMode: 'team', teamAddress: TEAM }, new Date(t.clock.now).toISOString())
  return t
}

/** Jane's mail to the team, asking for a refund. */
export function customerMail(overrides: Partial<MailDescription> = {}): MailDescription {
  return { from: 'Jane Doe <jane@customer.example>', to: TEAM, subject: 'Refund for order 42', text: 'Hello, I would like a refund for order 42.', ...overrides }
}

/** Posts `mail` to the inbound webhook as Mailgun's forward() would, signed. */
export async function postInbound(t: TestApp, mail: MailDescription, format?: 'urlencoded' | 'multipart', signOptions: SignOptions = sign) {
  const encoded = await encodePost(buildForwardPost(mail, signOptions), format)
  return t.app.inject({ method: 'POST', url: '/webhooks/mailgun/inbound', headers: { 'content-type': encoded.contentType }, payload: encoded.body })
}
