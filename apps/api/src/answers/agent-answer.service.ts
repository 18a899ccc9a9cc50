import {
  addAssignees,
  assigneesOf,
  conversationMailIds,
  findCustomerById,
  insertDelivery,
  insertMessage,
  newId,
  setMessageDeliveryStatus,
  touchConversation,
  type ConversationRow,
  type CustomerRow,
  type DbOrTx,
  type JsonObject,
  type MessageFlags,
} from '@replyflow/db'
import { composeCustomerReply, replySubject, type OfflineEmailSettings, type OutboundAttachment } from '@replyflow/mail'
import { ApiError } from '../errors.ts'
import { deliveryGate } from '../mail/delivery-gate.ts'
import type { MailIdentity } from '../mail/mail-identity.ts'

/** An agent's answer to store and deliver to the customer. */
export interface AgentAnswerInput {
  conversation: ConversationRow
  agent: { id: string; name: string }
  /** The new text (quoted history already removed for e-mail replies). */
  content: string
  /** The whole text as the agent wrote it, when it differs. */
  fullText?: string | null
  /** Sanitised HTML, shown in the inbox. */
  html?: string | null
  /** The agent's own Message-Id when the answer came by e-mail, so a retried webhook stores it once. */
  rfcMessageId?: string | null
  flags?: MessageFlags
  /** Files of the answer (stored under its message by the caller), mailed to the customer with it. */
  attachments?: readonly OutboundAttachment[]
  /**
   * An answer that would reach nobody is refused (422 `API_CUSTOMER_UNREACHABLE`, nothing written) when
   * true, as the inbox does; an agent's e-mail reply, which a webhook can't refuse, is kept undelivered.
   */
  refuseUnreachable?: boolean
  now: number
}

/** What was written; `deliveryIds` are to be handed to the queue after commit. */
export interface AgentAnswerOutcome {
  messageId: string
  deliveryIds: string[]
}

/**
 * Why an answer in `conversation` would reach nobody, or null when it goes to
 * the customer's e-mail address: only e-mail is delivered (there is no SMS
 * provider), and only to a customer who has an address.
 */
function unreachableCustomer(conversation: ConversationRow, customer: Pick<CustomerRow, 'email'> | undefined): string | null {
  if (conversation.channel !== 'email') return `this is an ${conversation.channel.toUpperCase()} conversation and no ${conversation.channel.toUpperCase()} provider is configured: an answer would reach nobody`
  if (!customer?.email) return 'the customer has no e-mail address: an answer would reach nobody'
  return null
}

/**
 * Stores an agent's answer in a conversation and, in the same transaction,
 * a delivery to the customer on the customer's channel: by e-mail from the team
 * address, threaded under the customer's last mail (In-Reply-To) with the
 * whole chain in References. An unassigned conversation is assigned to the
 * agent who answers. Used by the inbox and by agents' e-mail replies.
 */
export function createAgentAnswer(tx: DbOrTx, identity: MailIdentity, settings: OfflineEmailSettings, input: AgentAnswerInput): AgentAnswerOutcome {
  const { conversation, agent, now } = input
  const customer = findCustomerById(tx, conversation.customerId)
  const unreachable = unreachableCustomer(conversation, customer)
  if (unreachable && input.refuseUnreachable) throw new ApiError(422, 'API_CUSTOMER_UNREACHABLE', unreachable)
  const at = new Date(now).toISOString()
  const messageId = newId(now)
  insertMessage(tx, {
    id: messageId,
    conversationId: conversation.id,
    direction: 'out',
    authorType: 'agent',
    authorId: agent.id,
    channel: conversation.channel,
    subject: replySubject(conversation.subject),
    content: input.content,
    fullText: input.fullText ?? null,
    html: input.html ?? null,
    rfcMessageId: input.rfcMessageId ?? null,
    flags: input.flags ?? {},
    createdAt: at,
  })
  touchConversation(tx, conversation.id, at)
  // Whoever answers an unassigned conversation takes it, so it shows under their "Mine" and no longer as waiting.
  if ((assigneesOf(tx, [conversation.id]).get(conversation.id) ?? []).length === 0) addAssignees(tx, conversation.id, [agent.id], at)

  if (unreachable || !customer?.email) return { messageId, deliveryIds: [] }

  const chain = conversationMailIds(tx, conversation.id)
  const lastFromCustomer = [...chain].reverse().find((entry) => entry.direction === 'in')
  const mail = composeCustomerReply({
    teamAddress: settings.teamAddress,
    agent,
    customer: { name: customer.name, email: customer.email },
    conversation: { id: conversation.id, subject: conversation.subject },
    message: { id: messageId, text: input.content },
    attachments: input.attachments ?? [],
    inReplyTo: lastFromCustomer?.rfcMessageId ?? null,
    references: chain.map((entry) => entry.rfcMessageId),
    domain: identity.domain,
    secret: identity.secret,
  })
  const gate = deliveryGate(tx, customer.email, { automated: false, now })
  const deliveryId = newId(now)
  insertDelivery(tx, {
    id: deliveryId,
    messageId,
    recipientType: 'customer',
    recipientId: customer.id,
    address: customer.email.toLowerCase(),
    channel: 'email',
    status: gate.status,
    rfcMessageId: mail.headers['Message-Id'] ?? '',
    lastError: gate.status === 'suppressed' ? gate.error : null,
    mail: { ...mail } satisfies JsonObject,
    createdAt: at,
    updatedAt: at,
  })
  setMessageDeliveryStatus(tx, messageId, gate.status)
  return { messageId, deliveryIds: gate.status === 'queued' ? [deliveryId] : [] }
}
