import {
  agentSnapshots,
  assigneesOf,
  findConversationById,
  findCustomerByEmail,
  findCustomerById,
  findCustomerByPhone,
  findMessageById,
  type CustomerRow,
  type DbOrTx,
  type RunRow,
} from '@replyflow/db'
import type { AgentSnapshot, Channel, CustomValue, RunContext } from '@replyflow/flow'

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {}
}

function customValues(value: unknown): Record<string, CustomValue> {
  const out: Record<string, CustomValue> = {}
  for (const [key, item] of Object.entries(record(value))) {
    if (item === null || typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out[key] = item
  }
  return out
}

/**
 * The customer a dry run's input names, read but never written: by id, e-mail
 * or phone, as a real run would find them, with the input's fields over theirs.
 */
function customerOfInput(db: DbOrTx, input: Record<string, unknown>): RunContext['customer'] {
  const email = text(input.email)
  const phone = text(input.phone)
  const id = text(input.id)
  const stored: CustomerRow | undefined =
    (id ? findCustomerById(db, id) : undefined) ?? (email ? findCustomerByEmail(db, email) : undefined) ?? (phone ? findCustomerByPhone(db, phone) : undefined)
  return {
    id: stored?.id ?? null,
    name: stored?.name ?? text(input.name),
    email: stored?.email ?? email,
    phone: stored?.phone ?? phone,
    custom: { ...customValues(stored?.custom), ...customValues(input.custom) },
  }
}

/**
 * The snapshot a run reads, taken when it is claimed: its customer (the message's author), message and
 * conversation as stored now, and every agent (`agents`, when the caller already
 * read them for a batch of runs in the same transaction). Runs without stored
 * rows (dry runs) read their input, and the customer it names if there is one.
 */
export function buildRunContext(db: DbOrTx, run: RunRow, flowChannel: Channel, agents?: AgentSnapshot[]): RunContext {
  const input = record(run.input)
  const inputCustomer = record(input.customer)
  const inputMessage = record(input.message)
  const conversation = run.conversationId ? findConversationById(db, run.conversationId) : undefined
  const message = run.messageId ? findMessageById(db, run.messageId) : undefined
  // The customer who wrote the message (someone else may have joined the thread), else the conversation's.
  const authorId = message?.authorType === 'customer' ? message.authorId : null
  const customer = authorId ? findCustomerById(db, authorId) : conversation ? findCustomerById(db, conversation.customerId) : undefined
  return {
    customer: customer
      ? { id: customer.id, name: customer.name, email: customer.email, phone: customer.phone, custom: customValues(customer.custom) }
      : customerOfInput(db, inputCustomer),
    message: message
      ? { id: message.id, subject: message.subject, content: message.content, channel: message.channel }
      : { id: null, subject: text(inputMessage.subject), content: text(inputMessage.content) ?? '', channel: flowChannel },
    conversation: {
      id: conversation?.id ?? null,
      assignees: conversation ? (assigneesOf(db, [conversation.id]).get(conversation.id) ?? []) : [],
    },
    agents: agents ?? agentSnapshots(db),
  }
}
