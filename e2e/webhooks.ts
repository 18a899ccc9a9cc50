import { buildForwardPost, encodePost, type EncodedPost, type MailDescription } from '@replyflow/mail/testing'
import { E2E, type HttpAnswer, type System } from './harness.ts'

/** The API path Mailgun routes post parsed mail to. */
export const INBOUND_WEBHOOK_PATH = '/webhooks/mailgun/inbound'

/**
 * A customer mail as a Mailgun route's forward() posts it: urlencoded
 * (multipart with attachments), signed with the system's webhook signing key.
 */
export function encodeInboundMail(mail: MailDescription): Promise<EncodedPost> {
  return encodePost(buildForwardPost(mail, { signingKey: E2E.mailgun.signingKey }))
}

/** Posts a customer mail to the API as a Mailgun route's forward() would (see `encodeInboundMail`). Resolves with the API's answer. */
export async function postInboundMail(system: Pick<System, 'apiUrl'>, mail: MailDescription): Promise<HttpAnswer> {
  const post = await encodeInboundMail(mail)
  const response = await fetch(`${system.apiUrl}${INBOUND_WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': post.contentType },
    body: post.body,
  })
  const text = await response.text()
  const body: unknown = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text
  return { status: response.status, body, headers: response.headers }
}
