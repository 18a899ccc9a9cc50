import { buildForwardPost, encodePost, type MailDescription } from '@replyflow/mail/testing'
import { E2E, type HttpAnswer, type System } from './harness.ts'

/**
 * Posts a customer mail to the API as a Mailgun route's forward() would:
 * urlencoded (multipart with attachments), signed with the system's webhook
 * signing key. Resolves with the API's answer.
 */
export async function postInboundMail(system: Pick<System, 'apiUrl'>, mail: MailDescription): Promise<HttpAnswer> {
  const post = await encodePost(buildForwardPost(mail, { signingKey: E2E.mailgun.signingKey }))
  const response = await fetch(`${system.apiUrl}/webhooks/mailgun/inbound`, {
    method: 'POST',
    headers: { 'content-type': post.contentType },
    body: post.body,
  })
  const text = await response.text()
  const body: unknown = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text
  return { status: response.status, body, headers: response.headers }
}
