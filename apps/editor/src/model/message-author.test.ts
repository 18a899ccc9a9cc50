import { describe, expect, it } from 'vitest'
import type { Conversation, Message } from '../api/types.ts'
import { messageAuthor } from './message-author.ts'

const customer: Conversation['customer'] = { id: 'c1', name: 'Jane Customer', email: 'jane@customer.test', phone: null }
const agentNames = new Map([['a1', 'Alice Agent']])

function message(author: Message['author']): Message {
  return { id: 'm', direction: author.type === 'agent' ? 'out' : 'in', author, channel: 'email', subject: null, content: 'hi', fullText: null, html: null, attachments: [], flags: {}, createdAt: '2025-01-01T00:00:00Z', delivery: null }
}

describe('message authors', () => {
  it('shows a third party who joined the thread as themselves, not as the conversation’s customer', () => {
    const label = messageAuthor(message({ type: 'customer', id: 'c2', name: 'Lee Colleague', email: 'lee@customer.test' }), { agentNames, customer })
    expect(label).toEqual({ kind: 'customer', name: 'Lee Colleague', email: 'lee@customer.test' })
  })

  it('names a sender known only by address by that address', () => {
    expect(messageAuthor(message({ type: 'customer', id: 'c3', name: null, email: 'kim@other.test' }), { agentNames, customer }).name).toBe('kim@other.test')
  })

  it('falls back to the agent list and the conversation’s customer for messages without a name', () => {
    expect(messageAuthor(message({ type: 'agent', id: 'a1' }), { agentNames, customer }).name).toBe('Alice Agent')
    expect(messageAuthor(message({ type: 'customer', id: 'c1' }), { agentNames, customer }).name).toBe('Jane Customer')
    expect(messageAuthor(message({ type: 'customer', id: 'c9' }), { agentNames, customer }).name).toBeNull()
    expect(messageAuthor(message({ type: 'system', id: null }), { agentNames, customer })).toEqual({ kind: 'system', name: null, email: null })
  })
})
