import type { Conversation, Message } from '../api/types.ts'

/** How a message's sender is shown: a name (null: say "Customer" / "Agent" / "Replyflow") and their address when it adds something. */
export interface AuthorLabel {
  kind: Message['author']['type']
  name: string | null
  email: string | null
}

/**
 * Who wrote a message. Each message names its own author: a customer's
 * colleague who joined the thread is shown as themselves, not as the
 * conversation's customer. Older answers without a name fall back to what the
 * inbox knows (the agent list, the conversation's customer).
 */
export function messageAuthor(message: Message, known: { agentNames: ReadonlyMap<string, string>; customer: Conversation['customer'] | null }): AuthorLabel {
  const { type, id, name, email } = message.author
  if (type === 'system') return { kind: type, name: null, email: null }
  if (name) return { kind: type, name, email: email ?? null }
  if (type === 'agent') return { kind: type, name: (id && known.agentNames.get(id)) || email || null, email: null }
  const customer = known.customer && known.customer.id === id ? known.customer : null
  const fallback = customer?.name ?? customer?.email ?? null
  return { kind: type, name: email ?? fallback, email: null }
}
