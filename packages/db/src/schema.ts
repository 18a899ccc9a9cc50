import type { Channel, Effect, FlowDefinition, FlowTrigger, NodeResult, NodeType, RunContext } from '@replyflow/flow'
import type { DeliveryMail, DeliveryStatus, RunStatus } from '@replyflow/queue'
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'
import type {
  AgentStatus,
  AuthorType,
  ConversationStatus,
  Direction,
  JsonObject,
  JsonValue,
  MessageFlags,
  RecipientType,
  UserRole,
} from './values.ts'

// Timestamps are ISO-8601 strings (UTC, millisecond precision) everywhere: they
// sort as text, read well in SQL and match the `startedAt` of the engine's steps.
// Column names come from the TS keys through drizzle's `casing: 'snake_case'`.

/** People who log in: admins build flows, agents answer customers. */
export const users = sqliteTable('users', {
  id: text().primaryKey(),
  email: text().notNull().unique(),
  name: text().notNull(),
  role: text().$type<UserRole>().notNull(),
  /** `scrypt$N$r$p$salt$hash`, see auth/password in apps/api. */
  passwordHash: text().notNull(),
  createdAt: text().notNull(),
  updatedAt: text().notNull(),
})

/** Login sessions; only a hash of the cookie's token is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text().primaryKey(),
    tokenHash: text().notNull().unique(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: text().notNull(),
    expiresAt: text().notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

/** API keys for `Authorization: Bearer`; the key is shown once, then only its prefix. */
export const apiKeys = sqliteTable('api_keys', {
  id: text().primaryKey(),
  name: text().notNull(),
  /** The first characters of the key, so a user can tell keys apart. */
  prefix: text().notNull(),
  keyHash: text().notNull().unique(),
  /** The key acts as this user, with this user's role. */
  userId: text()
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  lastUsedAt: text(),
  revokedAt: text(),
  createdAt: text().notNull(),
})

/** Agents who receive customers' messages and answer them. */
export const agents = sqliteTable('agents', {
  id: text().primaryKey(),
  name: text().notNull(),
  email: text().notNull().unique(),
  phone: text(),
  status: text().$type<AgentStatus>().notNull().default('offline'),
  /** The login of this agent, when the agent also uses the inbox. */
  userId: text()
    .unique()
    .references(() => users.id, { onDelete: 'set null' }),
  createdAt: text().notNull(),
  updatedAt: text().notNull(),
})

/** Team settings, one JSON value per key (e.g. `offline-email`). */
export const settings = sqliteTable('settings', {
  key: text().primaryKey(),
  value: text({ mode: 'json' }).$type<JsonValue>().notNull(),
  updatedAt: text().notNull(),
})

/** Customers, with standard fields and the team's own custom fields. */
export const customers = sqliteTable(
  'customers',
  {
    id: text().primaryKey(),
    name: text(),
    /** Lower-cased; unique when present (SQLite lets NULLs repeat). */
    email: text().unique(),
    phone: text(),
    custom: text({ mode: 'json' }).$type<RunContext['customer']['custom']>().notNull().default({}),
    suppressedAt: text(),
    suppressionReason: text(),
    createdAt: text().notNull(),
    updatedAt: text().notNull(),
  },
  (t) => [index('customers_phone_idx').on(t.phone)],
)

/** A thread with one customer on one channel. */
export const conversations = sqliteTable(
  'conversations',
  {
    id: text().primaryKey(),
    customerId: text()
      .notNull()
      .references(() => customers.id),
    channel: text().$type<Channel>().notNull(),
    subject: text(),
    status: text().$type<ConversationStatus>().notNull().default('open'),
    lastMessageAt: text().notNull(),
    createdAt: text().notNull(),
    updatedAt: text().notNull(),
  },
  (t) => [
    index('conversations_customer_idx').on(t.customerId),
    index('conversations_status_last_idx').on(t.status, t.lastMessageAt),
  ],
)

/** Which agents a conversation is assigned to. */
export const conversationAssignees = sqliteTable(
  'conversation_assignees',
  {
    conversationId: text()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    agentId: text()
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    createdAt: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.agentId] }), index('conversation_assignees_agent_idx').on(t.agentId)],
)

/** One message of a conversation, in either direction. */
export const messages = sqliteTable(
  'messages',
  {
    id: text().primaryKey(),
    conversationId: text()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    direction: text().$type<Direction>().notNull(),
    authorType: text().$type<AuthorType>().notNull(),
    /** Customer or agent id; null for system messages. */
    authorId: text(),
    channel: text().$type<Channel>().notNull(),
    subject: text(),
    /** The new text, with quoted history and signature removed. */
    content: text().notNull(),
    /** The whole plain-text body as received or sent. */
    fullText: text(),
    /** Sanitised HTML, never the raw body. */
    html: text(),
    /** RFC 5322 Message-Id with angle brackets; unique so a retried webhook stores the mail once. */
    rfcMessageId: text().unique(),
    inReplyTo: text(),
    references: text({ mode: 'json' }).$type<string[]>().notNull().default([]),
    flags: text({ mode: 'json' }).$type<MessageFlags>().notNull().default({}),
    /** Mirror of the delivery of an outbound message (the latest one when several). */
    deliveryStatus: text().$type<DeliveryStatus>(),
    providerId: text(),
    createdAt: text().notNull(),
  },
  (t) => [index('messages_conversation_idx').on(t.conversationId, t.createdAt)],
)

/** Files of a message, stored on disk; the row keeps where. */
export const attachments = sqliteTable(
  'attachments',
  {
    id: text().primaryKey(),
    messageId: text()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    filename: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    contentId: text(),
    storagePath: text().notNull(),
    createdAt: text().notNull(),
  },
  (t) => [index('attachments_message_idx').on(t.messageId)],
)

/** A message flow: a mutable draft plus the id of the immutable version that runs. */
export const flows = sqliteTable(
  'flows',
  {
    id: text().primaryKey(),
    name: text().notNull(),
    channel: text().$type<Channel>().notNull(),
    trigger: text().$type<FlowTrigger>().notNull(),
    enabled: integer({ mode: 'boolean' }).notNull().default(false),
    activeVersionId: text().references((): AnySQLiteColumn => flowVersions.id),
    /** Saved as the admin edits it, valid or not; publishing copies it into a version. */
    draft: text({ mode: 'json' }).$type<FlowDefinition>().notNull(),
    draftUpdatedAt: text().notNull(),
    createdAt: text().notNull(),
    updatedAt: text().notNull(),
  },
  (t) => [index('flows_trigger_enabled_idx').on(t.trigger, t.enabled)],
)

/** A published definition. Never updated: runs pin it and workers cache it by id. */
export const flowVersions = sqliteTable(
  'flow_versions',
  {
    id: text().primaryKey(),
    flowId: text()
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    definition: text({ mode: 'json' }).$type<FlowDefinition>().notNull(),
    /** sha256 hex of `canonicalJson(definition)`. */
    checksum: text().notNull(),
    name: text(),
    description: text(),
    /** User who published it; null when created by the system (e.g. import). */
    createdBy: text().references(() => users.id, { onDelete: 'set null' }),
    createdAt: text().notNull(),
  },
  (t) => [uniqueIndex('flow_versions_flow_version_unique').on(t.flowId, t.version)],
)

/** One execution of a flow version. */
export const runs = sqliteTable(
  'runs',
  {
    id: text().primaryKey(),
    flowId: text()
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    /** The pinned version; null for a dry run of a draft, which carries its `definition` instead. */
    versionId: text().references(() => flowVersions.id),
    /** The draft a dry run executes (never set on a real run: those always run a version). */
    definition: text({ mode: 'json' }).$type<FlowDefinition>(),
    /** A dry run: executed, but creates no customer, conversation or message and applies no effect. */
    dryRun: integer({ mode: 'boolean' }).notNull().default(false),
    status: text().$type<RunStatus>().notNull(),
    trigger: text().$type<FlowTrigger>().notNull(),
    /** What the run was started with (manual runs: `{ customer, message }`). */
    input: text({ mode: 'json' }).$type<JsonObject>().notNull().default({}),
    /** The snapshot the engine read, captured at claim time. */
    context: text({ mode: 'json' }).$type<RunContext>(),
    conversationId: text().references(() => conversations.id, { onDelete: 'set null' }),
    messageId: text().references(() => messages.id, { onDelete: 'set null' }),
    error: text({ mode: 'json' }).$type<StoredRunError>(),
    /** The effects the engine returned, as reported (applied for a real run; only recorded for a dry run). */
    effects: text({ mode: 'json' }).$type<StoredEffect[]>(),
    /** 1 for a first run, +1 for each retry of it. */
    attempt: integer().notNull().default(1),
    /** The failed run this one retries. */
    retryOf: text().references((): AnySQLiteColumn => runs.id, { onDelete: 'set null' }),
    /** Where a retry starts: the failed node and the variables gathered before it. */
    resume: text({ mode: 'json' }).$type<RunResume>(),
    /** When the run was handed to the queue; null while it still has to be. */
    enqueuedAt: text(),
    createdAt: text().notNull(),
    startedAt: text(),
    finishedAt: text(),
  },
  (t) => [
    index('runs_flow_idx').on(t.flowId, t.id),
    index('runs_status_enqueued_idx').on(t.status, t.enqueuedAt),
    index('runs_conversation_idx').on(t.conversationId),
  ],
)

/** Why a run or step failed: the engine's `RunError`, or a worker's own code (e.g. a crash). */
export interface StoredRunError {
  code: string
  message: string
  nodeId?: string
}

/** An effect a run's engine returned: `@replyflow/flow`'s `Effect`, stored as reported. */
export type StoredEffect = Effect

/** Where a retried run resumes. */
export interface RunResume {
  nodeId: string
  variables: Record<string, unknown>
}

/** The recorded steps of a run, in order. */
export const runSteps = sqliteTable(
  'run_steps',
  {
    runId: text()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    nodeId: text().notNull(),
    type: text().$type<NodeType>().notNull(),
    result: text().$type<NodeResult>(),
    outputs: text({ mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    error: text({ mode: 'json' }).$type<StoredRunError>(),
    startedAt: text().notNull(),
    finishedAt: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
)

/** Effects applied for a run: the primary key makes applying one twice impossible. */
export const runEffects = sqliteTable(
  'run_effects',
  {
    runId: text()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text().notNull(),
    type: text().notNull(),
    payload: text({ mode: 'json' }).$type<JsonObject>().notNull(),
    appliedAt: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
)

/** `Idempotency-Key`s seen, per scope (e.g. `flow-run:<flowId>`). */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text().notNull(),
    key: text().notNull(),
    runId: text()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** sha256 of the request body, to tell a retry from a reuse of the key. */
    requestHash: text().notNull(),
    createdAt: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
)

/** One outbound mail (or SMS) to one recipient (docs/internals.md, "Deliveries"). */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text().primaryKey(),
    messageId: text()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    runId: text().references(() => runs.id, { onDelete: 'set null' }),
    nodeId: text(),
    recipientType: text().$type<RecipientType>().notNull(),
    recipientId: text().notNull(),
    address: text().notNull(),
    channel: text().$type<Channel>().notNull(),
    status: text().$type<DeliveryStatus>().notNull(),
    /** Our own Message-Id (with angle brackets), so replies to it thread. */
    rfcMessageId: text().notNull().unique(),
    /** The provider's id from the send answer (Mailgun keeps our Message-Id). */
    providerId: text(),
    attempts: integer().notNull().default(0),
    lastError: text({ mode: 'json' }).$type<DeliveryError>(),
    /** The composed `OutboundMail` of @replyflow/mail, sent as is by the worker. */
    mail: text({ mode: 'json' }).$type<DeliveryMail>().notNull(),
    enqueuedAt: text(),
    createdAt: text().notNull(),
    updatedAt: text().notNull(),
    sentAt: text(),
    deliveredAt: text(),
  },
  (t) => [
    uniqueIndex('deliveries_run_node_recipient_unique').on(t.runId, t.nodeId, t.recipientId),
    index('deliveries_status_enqueued_idx').on(t.status, t.enqueuedAt),
    index('deliveries_message_idx').on(t.messageId),
    index('deliveries_provider_idx').on(t.providerId),
    // The per-recipient cap on automated mail counts an address's recent deliveries for every new one.
    index('deliveries_address_created_idx').on(t.address, t.createdAt),
  ],
)

/** Why a delivery attempt failed. */
export interface DeliveryError {
  code: string
  message: string
  httpStatus?: number
}

/** Webhook tokens already accepted, to refuse replays. */
export const webhookTokens = sqliteTable(
  'webhook_tokens',
  {
    token: text().primaryKey(),
    kind: text().notNull(),
    /** What the token signed (e.g. a hash of the Message-Id), to tell a retry from a replay. */
    fingerprint: text(),
    createdAt: text().notNull(),
  },
  (t) => [index('webhook_tokens_created_idx').on(t.createdAt)],
)

/** Mailgun events received, by Mailgun's event id, so a redelivered event counts once. */
export const mailEvents = sqliteTable(
  'mail_events',
  {
    id: text().primaryKey(),
    deliveryId: text().references(() => deliveries.id, { onDelete: 'set null' }),
    event: text().notNull(),
    severity: text(),
    reason: text(),
    payload: text({ mode: 'json' }).$type<JsonObject>().notNull(),
    occurredAt: text(),
    createdAt: text().notNull(),
  },
  (t) => [index('mail_events_delivery_idx').on(t.deliveryId)],
)

/** Addresses never to mail again (hard bounces, complaints, unsubscribes). */
export const suppressions = sqliteTable('suppressions', {
  /** Lower-cased address. */
  address: text().primaryKey(),
  reason: text().notNull(),
  createdAt: text().notNull(),
})
