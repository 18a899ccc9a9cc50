import {
  addAssignees,
  assigneesOf,
  deliveriesOfMessages,
  findAgents,
  findConversationById,
  findCustomerById,
  listAttachmentsOfMessages,
  listConversations,
  listMessages,
  updateConversation,
  type ConversationCursor,
  type ConversationRow,
  type ConversationStatus,
  type DbOrTx,
} from '@replyflow/db'
import type { AppDeps } from '../deps.ts'
import { ApiError, notFound } from '../errors.ts'

/** A conversation as the API shows it. */
export function conversationJson(db: DbOrTx, conversation: ConversationRow, assignees?: string[]) {
  const customer = findCustomerById(db, conversation.customerId)
  return {
    ...conversation,
    customer: { id: conversation.customerId, name: customer?.name ?? null, email: customer?.email ?? null, phone: customer?.phone ?? null },
    assignees: assignees ?? assigneesOf(db, [conversation.id]).get(conversation.id) ?? [],
  }
}

/** The conversation, or 404. */
export function getConversation(db: DbOrTx, id: string): ConversationRow {
  const conversation = findConversationById(db, id)
  if (!conversation) throw notFound('conversation', id)
  return conversation
}

/** Opaque cursor of the conversation list: where the previous page ended. */
export function encodeCursor(cursor: ConversationCursor): string {
  return Buffer.from(JSON.stringify([cursor.lastMessageAt, cursor.id])).toString('base64url')
}

function decodeCursor(cursor: string): ConversationCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') return { lastMessageAt: value[0], id: value[1] }
  } catch {
    // Falls through to the 400 below: a cursor is only ever one we made.
  }
  throw new ApiError(400, 'API_BAD_CURSOR', 'cursor is not one this API gave out')
}

/** A page of conversations, most recently active first. */
export function pageOfConversations(
  db: DbOrTx,
  filters: { status?: ConversationStatus; assigneeId?: string | null; customerId?: string; cursor?: string; limit: number },
) {
  const rows = listConversations(db, {
    status: filters.status,
    assigneeId: filters.assigneeId,
    customerId: filters.customerId,
    after: filters.cursor ? decodeCursor(filters.cursor) : undefined,
    limit: filters.limit + 1,
  })
  const page = rows.slice(0, filters.limit)
  const assignees = assigneesOf(
    db,
    page.map((row) => row.id),
  )
  const last = page[page.length - 1]
  return {
    items: page.map((row) => conversationJson(db, row, assignees.get(row.id))),
    nextCursor: rows.length > filters.limit && last ? encodeCursor(last) : null,
  }
}

type MessageRow = ReturnType<typeof listMessages>[number]

/** Name and e-mail of each message's author, read once per author: `customer:<id>` / `agent:<id>`. */
function authorsOf(db: DbOrTx, messages: readonly MessageRow[]): Map<string, { name: string | null; email: string | null }> {
  const authors = new Map<string, { name: string | null; email: string | null }>()
  const agentIds = new Set<string>()
  for (const message of messages) {
    if (!message.authorId) continue
    if (message.authorType === 'agent') agentIds.add(message.authorId)
    else if (message.authorType === 'customer' && !authors.has(`customer:${message.authorId}`)) {
      const customer = findCustomerById(db, message.authorId)
      authors.set(`customer:${message.authorId}`, { name: customer?.name ?? null, email: customer?.email ?? null })
    }
  }
  for (const agent of findAgents(db, [...agentIds])) authors.set(`agent:${agent.id}`, { name: agent.name, email: agent.email })
  return authors
}

/** A conversation's messages with their authors, attachments and delivery, oldest first. */
export function messagesOf(db: DbOrTx, conversationId: string) {
  getConversation(db, conversationId)
  const messages = listMessages(db, conversationId)
  const ids = messages.map((message) => message.id)
  const attachments = listAttachmentsOfMessages(db, ids)
  const deliveries = deliveriesOfMessages(db, ids)
  const authors = authorsOf(db, messages)
  return messages.map((message) => {
    const delivery = deliveries.get(message.id)?.find((row) => row.recipientType === 'customer')
    const author = message.authorId ? authors.get(`${message.authorType}:${message.authorId}`) : undefined
    return {
      id: message.id,
      conversationId: message.conversationId,
      direction: message.direction,
      author: { type: message.authorType, id: message.authorId, name: author?.name ?? null, email: author?.email ?? null },
      channel: message.channel,
      subject: message.subject,
      content: message.content,
      fullText: message.fullText && message.fullText.trim() !== message.content.trim() ? message.fullText : null,
      html: message.html,
      attachments: attachments
        .filter((attachment) => attachment.messageId === message.id)
        .map((attachment) => ({ ...attachment, url: `/api/v1/attachments/${attachment.id}` })),
      flags: Object.fromEntries(Object.entries(message.flags).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean')),
      createdAt: message.createdAt,
      delivery: delivery
        ? {
            id: delivery.id,
            status: delivery.status,
            address: delivery.address,
            attempts: delivery.attempts,
            lastError: delivery.lastError,
            sentAt: delivery.sentAt,
            deliveredAt: delivery.deliveredAt,
          }
        : null,
    }
  })
}

/** Assigns agents to a conversation (unknown agents: 422, nothing assigned). */
export function assign(deps: Pick<AppDeps, 'db' | 'now'>, conversationId: string, agentIds: readonly string[]) {
  return deps.db.transaction((tx) => {
    const conversation = getConversation(tx, conversationId)
    const unique = [...new Set(agentIds)]
    const known = new Set(findAgents(tx, unique).map((agent) => agent.id))
    const unknown = unique.filter((id) => !known.has(id))
    if (unknown.length > 0) throw new ApiError(422, 'API_AGENT_NOT_FOUND', `no agent ${unknown.map((id) => `"${id}"`).join(', ')}`, { agentIds: unknown })
    const now = new Date(deps.now()).toISOString()
    addAssignees(tx, conversationId, unique, now)
    updateConversation(tx, conversationId, { updatedAt: now })
    return conversationJson(tx, conversation)
  })
}
