/**
 * Value sets of the schema's text columns, as `as const` lists with derived
 * unions. Run and delivery statuses travel to workers too, so they are
 * `@replyflow/queue`'s.
 */

/** Who a user is: admins configure, agents answer. */
export const USER_ROLES = ['admin', 'agent'] as const
export type UserRole = (typeof USER_ROLES)[number]

/** Whether an agent is available (`message.offline` flows run when none is online). */
export const AGENT_STATUSES = ['online', 'offline'] as const
export type AgentStatus = (typeof AGENT_STATUSES)[number]

/** An open conversation awaits an answer; a closed one reopens when the customer writes again. */
export const CONVERSATION_STATUSES = ['open', 'closed'] as const
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number]

/** `in`: from the customer; `out`: to the customer. */
export const DIRECTIONS = ['in', 'out'] as const
export type Direction = (typeof DIRECTIONS)[number]

/** Who wrote a message. */
export const AUTHOR_TYPES = ['customer', 'agent', 'system'] as const
export type AuthorType = (typeof AUTHOR_TYPES)[number]

/** Who a delivery goes to. */
export const RECIPIENT_TYPES = ['agent', 'customer'] as const
export type RecipientType = (typeof RECIPIENT_TYPES)[number]

/** What inbound checks noticed about a message. */
export interface MessageFlags {
  autoReply?: boolean
  unverifiedSender?: boolean
  spam?: boolean
  [flag: string]: boolean | undefined
}

/** Any JSON value, for JSON columns whose shape belongs to another part. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }
