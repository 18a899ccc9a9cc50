import { describe, expect, it } from 'vitest'
import { parseForwardPost } from '../inbound/parse-forward-post.ts'
import { parseMimePost } from '../inbound/parse-mime-post.ts'
import { verifyWebhookSignature } from '../inbound/webhook-signature.ts'
import { buildEventPost, buildForwardPost, buildMimePost, encodePost } from './mailgun-posts.ts'

const signingKey = 'helper-key'
const mail = {
  from: '王小明 <xm@example.cn>',
  to: 'support@acme.example',
  subject: '退款',
  text: '请退款',
  html: '<p>请退款 <img src="cid:logo"></p>',
  inReplyTo: '<a@x>',
  references: ['<a@x>'],
  headers: { 'X-Mailgun-Spf': 'Pass' },
  attachments: [{ filename: 'logo.png', contentType: 'image/png', content: Buffer.from([1, 2, 3]), contentId: 'logo' }],
}

describe('Mailgun post builders', () => {
  it('builds a signed forward() post that parses back to the described mail', async () => {
    const post = buildForwardPost(mail, { signingKey })
    expect(verifyWebhookSignature(signingKey, post.fields)).toBe(true)
    expect(post.fields.token).toHaveLength(50)
    const parsed = await parseForwardPost(post)
    expect(parsed.from).toEqual({ name: '王小明', address: 'xm@example.cn' })
    expect(parsed.inReplyTo).toEqual(['<a@x>'])
    expect(parsed.attachments[0]).toMatchObject({ filename: 'logo.png', contentId: 'logo', size: 3 })
  })

  it('encodes multipart with files and urlencoded without', async () => {
    const multipart = await encodePost(buildForwardPost(mail, { signingKey }))
    const form = await new Response(multipart.body, { headers: { 'content-type': multipart.contentType } }).formData()
    expect(form.get('subject')).toBe('退款')
    const file = form.get('attachment-1')
    expect(file instanceof File ? [file.name, file.size] : null).toEqual(['logo.png', 3])
    const plain = await encodePost(buildForwardPost({ ...mail, attachments: [] }, { signingKey }))
    expect(plain.contentType).toBe('application/x-www-form-urlencoded')
    expect(new URLSearchParams(plain.body.toString()).get('body-plain')).toBe('请退款')
  })

  it('builds the raw-MIME variant', async () => {
    const post = await buildMimePost(mail, { signingKey })
    const parsed = await parseMimePost(post)
    expect(parsed.subject).toBe('退款')
    expect(parsed.text.trim()).toBe('请退款')
    expect(parsed.attachments[0]?.contentId).toBe('logo')
  })

  it('builds a signed event post with a bracket-less message id', () => {
    const post = buildEventPost({ event: 'failed', severity: 'permanent', recipient: 'xm@example.cn', messageId: '<rf.1@x>' }, { signingKey })
    expect(verifyWebhookSignature(signingKey, post.signature)).toBe(true)
    expect(post['event-data']).toMatchObject({ event: 'failed', severity: 'permanent', message: { headers: { 'message-id': 'rf.1@x' } } })
  })
})
