import { CONVERSATION_STATUSES } from '@replyflow/db'
import { DeliveryStatusSchema } from '@replyflow/queue'
import Type from 'typebox'
import { ChannelSchema } from '../flows/flows.schemas.ts'
import { Nullable } from '../schemas.ts'

export const ConversationSchema = Type.Object({
  id: Type.String(),
  customer: Type.Object({ id: Type.String(), name: Nullable(Type.String()), email: Nullable(Type.String()), phone: Nullable(Type.String()) }),
  channel: ChannelSchema,
  subject: Nullable(Type.String()),
  status: Type.Enum(CONVERSATION_STATUSES),
  /** Agent ids. */
  assignees: Type.Array(Type.String()),
  lastMessageAt: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

export const AttachmentSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  contentId: Nullable(Type.String()),
  /** Where the inbox downloads it (authenticated). */
  url: Type.String(),
})

export const DeliverySchema = Type.Object({
  id: Type.String(),
  status: DeliveryStatusSchema,
  address: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.Object({ code: Type.String(), message: Type.String(), httpStatus: Type.Optional(Type.Integer()) })),
  sentAt: Nullable(Type.String()),
  deliveredAt: Nullable(Type.String()),
})

/** A message as the inbox shows it (DESIGN.md §4). */
export const MessageSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  direction: Type.Enum(['in', 'out'] as const),
  /** Who wrote it: the customer or agent (whoever really sent it, e.g. a third party in the thread); null fields for system messages. */
  author: Type.Object({
    type: Type.Enum(['customer', 'agent', 'system'] as const),
    id: Nullable(Type.String()),
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
  }),
  channel: ChannelSchema,
  subject: Nullable(Type.String()),
  /** The new text, with quoted history and signature removed. */
  content: Type.String(),
  /** The text as it arrived, quoted history and signature included, when that differs from `content`; else null. */
  fullText: Nullable(Type.String()),
  /** Sanitised HTML, or null. */
  html: Nullable(Type.String()),
  attachments: Type.Array(AttachmentSchema),
  flags: Type.Record(Type.String(), Type.Boolean()),
  createdAt: Type.String(),
  /** The answer's delivery to the customer; null for the customer's own messages. */
  delivery: Nullable(DeliverySchema),
})

export const AgentIdsBody = Type.Object({ agentIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false })
