import { describe, expect, it } from 'vitest'
import { REPLY_SEPARATOR, composeAgentNotification, composeCustomerReply } from './compose.ts'
import { parseMessageId, parseReplyAddress } from './signed-ids.ts'

const secret = 'test-secret'
const domain = 'mg.example.com'
const agent = { id: 'AGENT1', name: 'Ann Agent', email: 'ann@example.com' }
const customer = { name: '王小明', email: 'xiaoming@example.cn' }
const conversation = { id: 'CONV1', subject: 'Refund please', references: ['<cust-1@example.cn>'] }
const message = { id: 'MSG1', subject: 'Refund please', text: 'I want a refund.' }

describe('composeAgentNotification', () => {
  it('comes from the team address with a signed per-agent Message-Id and reply address', () => {
    const mail = composeAgentNotification({
      settings: { senderMode: 'team', teamAddress: 'support@example.com' },
      agent, customer, conversation, message, domain, secret,
    })
    expect(mail.from).toBe('"王小明 (Replyflow)" <support@example.com>')
    expect(mail.to).toEqual(['"Ann Agent" <ann@example.com>'])
    expect(mail.subject).toBe('Refund please')
    expect(parseMessageId(mail.headers['Message-Id'] ?? '', secret)).toEqual({ conversationId: 'CONV1', messageId: 'MSG1', agentId: 'AGENT1' })
    expect(parseReplyAddress(mail.headers['Reply-To'] ?? '', secret)).toEqual({ conversationId: 'CONV1' })
    expect(mail.headers['In-Reply-To']).toBe('<cust-1@example.cn>')
    expect(mail.headers['References']).toBe('<cust-1@example.cn>')
  })

  it('puts the reply separator above the customer message and marks itself automated', () => {
    const mail = composeAgentNotification({
      settings: { senderMode: 'team', teamAddress: 'support@example.com' },
      agent, customer, conversation, message, domain, secret,
    })
    expect(mail.text.indexOf(REPLY_SEPARATOR)).toBeLessThan(mail.text.indexOf('I want a refund.'))
    expect(mail.text.indexOf(REPLY_SEPARATOR)).toBeGreaterThanOrEqual(0)
    expect(mail.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Loop': 'support@example.com' })
    expect(mail.variables).toEqual({ kind: 'agent-notification', conversationId: 'CONV1', messageId: 'MSG1', agentId: 'AGENT1' })
  })

  it("comes from the agent's own address in agent mode, when it is on the mail domain or the domain it belongs to", () => {
    for (const email of ['ann@example.com', 'ann@MG.example.com']) {
      const mail = composeAgentNotification({
        settings: { senderMode: 'agent', teamAddress: 'support@example.com' },
        agent: { ...agent, email }, customer, conversation, message, domain, secret,
      })
      expect(mail.from).toBe(`"王小明 (Replyflow)" <${email}>`)
    }
  })

  it("comes from the team address under the agent's name in agent mode when the agent's address would fail SPF/DMARC", () => {
    for (const email of ['ann@gmail.com', 'ann@example.com.evil.test', 'ann@other-example.com']) {
      const mail = composeAgentNotification({
        settings: { senderMode: 'agent', teamAddress: 'support@example.com' },
        agent: { ...agent, email }, customer, conversation, message, domain, secret,
      })
      expect(mail.from).toBe('"Ann Agent" <support@example.com>')
      expect(mail.to).toEqual([`"Ann Agent" <${email}>`])
      // Replies still go to the conversation's signed reply address.
      expect(parseReplyAddress(mail.headers['Reply-To'] ?? '', secret)).toEqual({ conversationId: 'CONV1' })
    }
  })

  it('escapes the customer text in HTML and keeps line breaks out of headers', () => {
    const mail = composeAgentNotification({
      settings: { senderMode: 'team', teamAddress: 'support@example.com' },
      agent, customer: { name: 'Eve\r\nBcc: x@evil.com', email: 'eve@example.com' }, conversation,
      message: { ...message, subject: 'Hi\r\nBcc: x@evil.com', text: '<script>alert(1)</script>' }, domain, secret,
    })
    expect(mail.html).not.toContain('<script>')
    expect(mail.html).toContain('&lt;script&gt;')
    expect(mail.subject).not.toMatch(/[\r\n]/)
    expect(mail.from).not.toMatch(/[\r\n]/)
  })
})

describe('composeCustomerReply', () => {
  it('answers the customer from the team address, threaded under their last mail', () => {
    const mail = composeCustomerReply({
      teamAddress: 'support@example.com', agent, customer, conversation: { id: 'CONV1', subject: 'Refund please' },
      message: { id: 'MSG2', text: 'Done.' }, inReplyTo: '<cust-2@example.cn>',
      references: ['<cust-1@example.cn>', '<rf.x@mg.example.com>', '<cust-2@example.cn>'], domain, secret,
    })
    expect(mail.from).toBe('"Ann Agent" <support@example.com>')
    expect(mail.to).toEqual(['"王小明" <xiaoming@example.cn>'])
    expect(mail.subject).toBe('Re: Refund please')
    expect(mail.headers['In-Reply-To']).toBe('<cust-2@example.cn>')
    expect(mail.headers['References']).toBe('<cust-1@example.cn> <rf.x@mg.example.com> <cust-2@example.cn>')
    expect(parseMessageId(mail.headers['Message-Id'] ?? '', secret)).toEqual({ conversationId: 'CONV1', messageId: 'MSG2', agentId: null })
    expect(mail.text).toBe('Done.')
  })

  it('ends References with the mail it answers, leaving out what came after it (a second answer to the same mail)', () => {
    const mail = composeCustomerReply({
      teamAddress: 'support@example.com', agent, customer, conversation: { id: 'CONV1', subject: 'Refund please' },
      message: { id: 'MSG3', text: 'Also: your voucher.' }, inReplyTo: '<original@example.cn>',
      references: ['<original@example.cn>', '<rf.notify-alice@mg.example.com>', '<rf.alice-answer@mg.example.com>'], domain, secret,
    })
    expect(mail.headers['In-Reply-To']).toBe('<original@example.cn>')
    expect(mail.headers['References']).toBe('<original@example.cn>')
  })

  it('keeps the ids before the parent, oldest first, once each', () => {
    const mail = composeCustomerReply({
      teamAddress: 'support@example.com', agent, customer, conversation: { id: 'CONV1' },
      message: { id: 'MSG4', text: 't' }, inReplyTo: '<cust-2@example.cn>',
      references: ['<cust-1@example.cn>', '<rf.a@mg.example.com>', '<cust-1@example.cn>', '<cust-2@example.cn>', '<rf.b@mg.example.com>'], domain, secret,
    })
    expect(mail.headers['References']).toBe('<cust-1@example.cn> <rf.a@mg.example.com> <cust-2@example.cn>')
  })

  it("carries the agent's attachments by reference, and none when there are none", () => {
    const base = { teamAddress: 'support@example.com', customer, conversation: { id: 'C' }, message: { id: 'M', text: 't' }, domain, secret }
    const file = { id: 'ATT1', filename: '发票.pdf', contentType: 'application/pdf', size: 12 }
    expect(composeCustomerReply({ ...base, attachments: [file] }).attachments).toEqual([file])
    expect(composeCustomerReply(base)).not.toHaveProperty('attachments')
  })

  it('does not stack "Re:" on a reply subject, in English or Chinese', () => {
    const base = { teamAddress: 'support@example.com', customer, message: { id: 'M', text: 't' }, domain, secret }
    expect(composeCustomerReply({ ...base, conversation: { id: 'C', subject: 'RE: hello' } }).subject).toBe('RE: hello')
    expect(composeCustomerReply({ ...base, conversation: { id: 'C', subject: '回复：你好' } }).subject).toBe('回复：你好')
  })
})
