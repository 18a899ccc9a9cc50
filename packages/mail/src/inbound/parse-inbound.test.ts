import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ForwardPost } from './parse-forward-post.ts'
import { parseForwardPost } from './parse-forward-post.ts'
import { parseMimePost } from './parse-mime-post.ts'
import { extractReplyContent } from './quote-stripping.ts'
import { verifyWebhookSignature } from './webhook-signature.ts'
import { detectAutomated, failsAuthentication, senderAuthentication } from './loop-detection.ts'
import { sanitiseMailHtml } from './sanitise-html.ts'
import { mailFingerprint } from './fingerprint.ts'

interface Fixture {
  signingKey: string
  fields: Record<string, string>
  files: Array<{ field: string; filename: string; contentType: string; base64: string }>
}

function fixture(name: string): Fixture & { post: ForwardPost } {
  const raw = JSON.parse(readFileSync(new URL(`../../fixtures/${name}.forward.json`, import.meta.url), 'utf8')) as Fixture
  const files = raw.files.map((file) => ({ field: file.field, filename: file.filename, contentType: file.contentType, content: Buffer.from(file.base64, 'base64') }))
  return { ...raw, post: { fields: raw.fields, files } }
}

const own = { addresses: ['support@acme.example'], secret: 'id-secret' }

describe('parseForwardPost', () => {
  it('reads addresses, threading headers and encoded names of a QQ Mail reply', async () => {
    const mail = await parseForwardPost(fixture('qq-mail-reply').post)
    expect(mail.from).toEqual({ name: '王小明', address: 'xiaoming@qq.com' })
    expect(mail.recipients).toEqual(['support@acme.example'])
    expect(mail.subject).toBe('Re: 订单退款')
    expect(mail.messageId).toBe('<tencent_4A1B2C3D@qq.com>')
    expect(mail.inReplyTo).toEqual(['<rf-answer-1@acme.example>'])
    expect(mail.text).not.toContain('\r')
    expect(mail.strippedText).toBeNull()
  })

  it('keeps no sender address that is not one mailbox (a list in angle brackets)', async () => {
    const { post } = fixture('qq-mail-reply')
    const headers = (JSON.parse(post.fields['message-headers'] ?? '[]') as [string, string][]).map(([name, value]): [string, string] =>
      name.toLowerCase() === 'from' ? [name, 'Jane <victim@x.example,attacker@evil.example>'] : [name, value],
    )
    const mail = await parseForwardPost({ ...post, fields: { ...post.fields, from: 'Jane <victim@x.example,attacker@evil.example>', 'message-headers': JSON.stringify(headers) } })
    expect(mail.from).toBeNull()
  })

  it('keeps the References chain in order', async () => {
    const mail = await parseForwardPost(fixture('gmail-reply').post)
    expect(mail.references).toEqual(['<CAH8yC8first@mail.gmail.com>', '<first-answer@acme.example>'])
  })

  it('falls back to the per-header fields when message-headers is missing or broken', async () => {
    const { post } = fixture('gmail-reply')
    const mail = await parseForwardPost({ ...post, fields: { ...post.fields, 'message-headers': 'not json' } })
    expect(mail.messageId).toBe('<CAH8yC8k3vJ0=q@mail.gmail.com>')
    expect(mail.from?.address).toBe('jane.doe@gmail.com')
  })

  it('maps content-id-map onto the attachments', async () => {
    const mail = await parseForwardPost(fixture('html-inline-image').post)
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.contentId, a.size > 0])).toEqual([
      ['screenshot.png', 'image/png', 'ii_screenshot01', true],
      ['invoice.pdf', 'application/pdf', null, true],
    ])
  })
})

describe('parseMimePost', () => {
  it('parses a raw Foxmail message with an attachment', async () => {
    const raw = readFileSync(new URL('../../fixtures/foxmail-reply.eml', import.meta.url), 'utf8')
    const mail = await parseMimePost({ fields: { recipient: 'support@acme.example', sender: 'zhangsan@foxmail.com', 'body-mime': raw } })
    expect(mail.from).toEqual({ name: '张三', address: 'zhangsan@foxmail.com' })
    expect(mail.subject).toBe('Re: 发票')
    expect(mail.references).toEqual(['<first-3@foxmail.com>', '<rf-answer-3@acme.example>'])
    expect(mail.attachments).toHaveLength(1)
    expect(mail.attachments[0]?.filename).toBe('合同.pdf')
    expect(mail.headers).toContainEqual(['X-Mailgun-Spf', 'Pass'])
    expect(extractReplyContent(mail)).toBe('附件是盖章后的合同。')
  })
})

describe('quote stripping', () => {
  const cases: Array<[string, string]> = [
    ['gmail-reply', 'Thanks, that fixed it!'],
    ['qq-mail-reply', '好的，我明天再试一下，谢谢！'],
    ['netease-163-reply', '已收到，非常感谢。'],
    ['outlook-zh-reply', '请帮我改一下收货地址，新地址是上海市浦东新区。'],
    ['outlook-en-reply', 'Friday works for me.'],
    ['apple-mail-reply', 'Yes please, go ahead.'],
  ]
  it.each(cases)('keeps only the new text of %s', async (name, expected) => {
    const mail = await parseForwardPost(fixture(name).post)
    expect(extractReplyContent(mail)).toBe(expected)
  })

  it("cuts at our own reply separator even when the client didn't quote", () => {
    const text = 'Refund approved.\n\n## Reply above this line ## / 请在此行以上回复\n\nJane <jane@x.com>:\n\nI want a refund.'
    expect(extractReplyContent({ text, strippedText: null })).toBe('Refund approved.')
    expect(extractReplyContent({ text, strippedText: text })).toBe('Refund approved.')
  })

  it('cuts a Chinese Gmail header that email-reply-parser misses', () => {
    const text = '收到\n\nAcme Support <support@acme.example> 于2024年12月31日周二 18:12写道：\n\n> 您好'
    expect(extractReplyContent({ text, strippedText: null })).toBe('收到')
  })

  it('keeps a message that has no quote at all', () => {
    const text = 'From: my old order, the blue one\nI would like to return it.'
    expect(extractReplyContent({ text, strippedText: null })).toBe(text)
  })
})

describe('verifyWebhookSignature', () => {
  it("accepts Mailgun's signature and refuses a wrong key or a changed token", () => {
    const { signingKey, fields } = fixture('gmail-reply')
    expect(verifyWebhookSignature(signingKey, fields)).toBe(true)
    expect(verifyWebhookSignature('another-key', fields)).toBe(false)
    expect(verifyWebhookSignature(signingKey, { ...fields, token: `${fields.token}x` })).toBe(false)
    expect(verifyWebhookSignature(signingKey, { ...fields, signature: 'zz' })).toBe(false)
    expect(verifyWebhookSignature(signingKey, {})).toBe(false)
  })
})

describe('detectAutomated', () => {
  it('lets a person through', async () => {
    expect(detectAutomated(await parseForwardPost(fixture('gmail-reply').post), own)).toBeNull()
  })

  it('recognises an out-of-office reply and a bounce', async () => {
    expect(detectAutomated(await parseForwardPost(fixture('out-of-office').post), own)).toBe('auto-submitted')
    const bounce = fixture('bounce').post
    const withoutAutoSubmitted = { ...bounce, fields: { ...bounce.fields, 'message-headers': JSON.stringify(JSON.parse(bounce.fields['message-headers'] ?? '[]').filter(([name]: [string]) => name !== 'Auto-Submitted')), 'Auto-Submitted': undefined } }
    expect(detectAutomated(await parseForwardPost(withoutAutoSubmitted), own)).toBe('bounce')
  })

  it('recognises our own mail, X-Loop naming us, system senders and spam', async () => {
    const { post } = fixture('gmail-reply')
    const withHeader = async (name: string, value: string) => {
      const headers = [...(JSON.parse(post.fields['message-headers'] ?? '[]') as Array<[string, string]>), [name, value]]
      return parseForwardPost({ ...post, fields: { ...post.fields, 'message-headers': JSON.stringify(headers) } })
    }
    expect(detectAutomated(await withHeader('X-Loop', 'support@acme.example'), own)).toBe('x-loop')
    expect(detectAutomated(await withHeader('Precedence', 'bulk'), own)).toBe('precedence')
    expect(detectAutomated(await withHeader('X-Autoreply', 'yes'), own)).toBe('auto-reply-header')
    const spam = await parseForwardPost({ ...post, fields: { ...post.fields, 'message-headers': post.fields['message-headers']?.replace('["X-Mailgun-Sflag", "No"]', '["X-Mailgun-Sflag", "Yes"]') } })
    expect(detectAutomated(spam, own)).toBe('spam')
    const noreply = await parseForwardPost({ ...post, fields: { ...post.fields, 'message-headers': post.fields['message-headers']?.replaceAll('jane.doe@gmail.com', 'noreply@shop.example') } })
    expect(detectAutomated(noreply, own)).toBe('system-sender')
    const ours = await parseForwardPost({ ...post, fields: { ...post.fields, 'message-headers': post.fields['message-headers']?.replace('Jane Doe <jane.doe@gmail.com>', 'Acme <SUPPORT@acme.example>') } })
    expect(detectAutomated(ours, own)).toBe('own-address')
  })

  it('reads the SPF and DKIM verdicts', async () => {
    const mail = await parseForwardPost(fixture('gmail-reply').post)
    expect(senderAuthentication(mail)).toEqual({ spf: 'pass', dkim: 'pass' })
    expect(failsAuthentication({ spf: 'fail', dkim: 'fail' })).toBe(true)
    expect(failsAuthentication({ spf: 'fail', dkim: 'pass' })).toBe(false)
  })
})

describe('sanitiseMailHtml', () => {
  it('removes scripts, handlers, styles, iframes and javascript links, and maps cid images', async () => {
    const mail = await parseForwardPost(fixture('html-inline-image').post)
    const html = sanitiseMailHtml(mail.rawHtml ?? '', { resolveCid: (cid) => (cid === 'ii_screenshot01' ? '/api/v1/attachments/ATT1' : null) })
    expect(html).not.toMatch(/script|onclick|<style|iframe|javascript:/i)
    expect(html).toContain('src="/api/v1/attachments/ATT1"')
    expect(html).toContain('<a href="https://acme.example/help" target="_blank" rel="noopener noreferrer nofollow">help</a>')
  })

  it('drops an image whose cid is unknown, and quoted history on request', () => {
    expect(sanitiseMailHtml('<img src="cid:nope" alt="x">', { resolveCid: () => null })).toBe('<img alt="x" />')
    const gmail = '<div dir="ltr">Thanks</div><div class="gmail_quote">old</div><blockquote type="cite">older</blockquote>'
    expect(sanitiseMailHtml(gmail, { dropQuotes: true })).toBe('<div dir="ltr">Thanks</div>')
    const inline = sanitiseMailHtml('<p><img src="cid:a1"><a href="javascript:x()">x</a></p>', { dropQuotes: true, resolveCid: () => '/file' })
    expect(inline).toBe('<p><img src="/file" /><a target="_blank" rel="noopener noreferrer nofollow">x</a></p>')
  })
})

describe('mailFingerprint', () => {
  it('is the same for a retried post and differs when the content changes', async () => {
    const { post } = fixture('gmail-reply')
    const a = mailFingerprint(await parseForwardPost(post))
    const b = mailFingerprint(await parseForwardPost({ ...post, fields: { ...post.fields, timestamp: '1' } }))
    const c = mailFingerprint(await parseForwardPost({ ...post, fields: { ...post.fields, 'body-plain': 'Send me your password' } }))
    expect(a).toBe(b)
    expect(a).not.toBe(c)
  })
})
