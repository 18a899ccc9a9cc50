import { describe, expect, it } from 'vitest'
import {
  createMessageId,
  createReplyAddress,
  normaliseMessageId,
  parseMessageId,
  parseMessageIdList,
  parseReplyAddress,
} from './signed-ids.ts'

const secret = 'test-secret'
const domain = 'mg.example.com'
const conversationId = '01JCONVERSATION0000000000A'
const messageId = '01JMESSAGE00000000000000AB'
const agentId = '01JAGENT000000000000000ABC'

describe('signed Message-Ids', () => {
  it('round-trips conversation, message and agent', () => {
    const id = createMessageId({ conversationId, messageId, agentId, domain, secret })
    expect(id).toMatch(/^<rf\..+@mg\.example\.com>$/)
    expect(parseMessageId(id, secret)).toEqual({ conversationId, messageId, agentId })
  })

  it('round-trips without an agent', () => {
    const id = createMessageId({ conversationId, messageId, domain, secret })
    expect(parseMessageId(id, secret)).toEqual({ conversationId, messageId, agentId: null })
  })

  it('accepts the bracket-less form Mailgun events use', () => {
    const id = createMessageId({ conversationId, messageId, agentId, domain, secret })
    expect(parseMessageId(id.slice(1, -1), secret)).toEqual({ conversationId, messageId, agentId })
  })

  it('refuses an id whose parts were changed (a forged agent or conversation)', () => {
    const id = createMessageId({ conversationId, messageId, agentId, domain, secret })
    expect(parseMessageId(id.replace(agentId, '01JOTHERAGENT0000000000ABC'), secret)).toBeNull()
    expect(parseMessageId(id.replace(conversationId, '01JOTHERCONVERSATION00000A'), secret)).toBeNull()
  })

  it('refuses an id signed with another secret', () => {
    const id = createMessageId({ conversationId, messageId, agentId, domain, secret: 'other' })
    expect(parseMessageId(id, secret)).toBeNull()
  })

  it('ignores foreign ids', () => {
    expect(parseMessageId('<CAF=abc123@mail.gmail.com>', secret)).toBeNull()
    expect(parseMessageId('', secret)).toBeNull()
  })

  it('refuses ids that could break the format', () => {
    expect(() => createMessageId({ conversationId: 'a.b', messageId, domain, secret })).toThrow(/URL-safe/)
  })
})

describe('Message-Id lists', () => {
  it('normalises brackets and whitespace', () => {
    expect(normaliseMessageId('  abc@x.com ')).toBe('<abc@x.com>')
    expect(normaliseMessageId('<abc@x.com>')).toBe('<abc@x.com>')
    expect(normaliseMessageId('  ')).toBeNull()
  })

  it('reads every id of a References header, folded or not', () => {
    expect(parseMessageIdList('<a@x.com>\r\n <b@x.com> <a@x.com>')).toEqual(['<a@x.com>', '<b@x.com>'])
    expect(parseMessageIdList('a@x.com b@x.com')).toEqual(['<a@x.com>', '<b@x.com>'])
    expect(parseMessageIdList(undefined)).toEqual([])
  })
})

describe('signed reply addresses', () => {
  it('round-trips the conversation and fits an address local part', () => {
    const address = createReplyAddress({ conversationId, domain, secret })
    expect(address.split('@')[0]?.length).toBeLessThanOrEqual(64)
    expect(parseReplyAddress(address, secret)).toEqual({ conversationId })
    expect(parseReplyAddress(`Support <${address}>`, secret)).toEqual({ conversationId })
  })

  it('survives a relay that lower-cases the address', () => {
    const address = createReplyAddress({ conversationId, domain, secret })
    expect(parseReplyAddress(address.toLowerCase(), secret)).toEqual({ conversationId })
  })

  it('refuses a forged conversation', () => {
    const address = createReplyAddress({ conversationId, domain, secret })
    expect(parseReplyAddress(address.replace(conversationId, '01JOTHERCONVERSATION00000A'), secret)).toBeNull()
    expect(parseReplyAddress('support@mg.example.com', secret)).toBeNull()
  })
})
