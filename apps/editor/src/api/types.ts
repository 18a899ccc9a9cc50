import type { Channel, Effect, FlowDefinition, FlowTrigger, NodeResult, NodeType, RunError, ValidationIssue } from '@replyflow/flow'

/** Shapes of the API's answers (DESIGN.md §4; the API's OpenAPI document is the reference). */

export interface Items<T> {
  items: T[]
  nextCursor?: string | null
}

export interface User {
  id: string
  email: string
  name: string
  role: 'admin' | 'agent'
  agentId: string | null
}

export interface Flow {
  id: string
  name: string
  channel: Channel
  trigger: FlowTrigger
  enabled: boolean
  /** Number of the active version, null before the first publish. */
  activeVersion: number | null
  draft: FlowDefinition
  /** When the draft was last written: a save or publish sends it back as `baseUpdatedAt`. */
  draftUpdatedAt: string
  updatedAt: string
}

export interface FlowVersion {
  id: string
  version: number
  checksum: string
  createdAt: string
  name: string | null
  description: string | null
  active?: boolean
}

/** Flows that publishing or enabling displaced: one enabled flow per trigger. */
export interface DisabledFlows {
  disabledFlows: { id: string; name: string }[]
}

export interface FlowVersionDetail extends FlowVersion {
  definition: FlowDefinition
}

export interface DraftAnswer {
  definition: FlowDefinition
  issues: ValidationIssue[]
  /** The saved draft's stamp: the `baseUpdatedAt` of the next save. */
  draftUpdatedAt: string
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed'

export interface RunStep {
  nodeId: string
  type: NodeType
  result: NodeResult | null
  outputs: Record<string, unknown>
  error: RunError | null
  startedAt: string
  finishedAt: string | null
}

/** A run as a flow's run list shows it. */
export interface RunSummary {
  id: string
  flowId: string
  /** The version it ran; null for a dry run of a draft. */
  version: number | null
  status: RunStatus
  trigger: FlowTrigger
  /** A dry run applies no effect: nothing is sent or assigned. */
  dryRun: boolean
  createdAt: string
  error: RunError | null
}

/** A run with its steps (`GET runs/:id`). */
export interface Run extends RunSummary {
  steps: RunStep[]
  /** What the run did (a real run) or would have done (a dry run). */
  effects: Effect[]
}

/** `GET runs/:id`: a run, and the draft it ran when it is a dry run of one (null for a run of a version). */
export interface RunDetail extends Run {
  definition: FlowDefinition | null
}

/** A run in the list of every flow's runs (`GET runs`). */
export interface RunListItem extends RunSummary {
  flowName: string
  conversationId: string | null
  customer: { id: string; name: string | null; email: string | null } | null
}

/** What `POST flows/:id/runs` takes: a sample input, and for a dry run optionally a draft to run instead of the active version. */
export interface RunRequest {
  input: { customer: Record<string, unknown>; message: Record<string, unknown> }
  dryRun?: boolean
  definition?: FlowDefinition
}

/** Whether an agent takes customer messages now (`message.offline` flows run when nobody is online). */
export type AgentStatus = 'online' | 'offline'

export interface Agent {
  id: string
  name: string
  email: string
  status: AgentStatus
  /** The login linked to the agent (an agent added with a user's e-mail is that user's). */
  userId: string | null
}

export interface OfflineEmailSettings {
  senderMode: 'team' | 'agent'
  teamAddress: string | null
}

export interface Conversation {
  id: string
  subject: string | null
  channel: Channel
  status: string
  customer: { id: string; name: string | null; email: string | null; phone: string | null }
  /** Agent ids. */
  assignees: string[]
  lastMessageAt: string
}

export interface Attachment {
  id: string
  filename: string
  contentType: string
  size: number
  /** Where the inbox downloads it (authenticated). */
  url: string
}

export interface Message {
  id: string
  direction: 'in' | 'out'
  /** Who wrote it: the customer or agent by name and address (null for Replyflow's own). */
  author: { type: 'customer' | 'agent' | 'system'; id: string | null; name?: string | null; email?: string | null }
  channel: Channel
  subject: string | null
  content: string
  /** The text as it arrived, quoted history included, when it differs from `content`. */
  fullText: string | null
  html: string | null
  attachments: Attachment[]
  /** What Replyflow noticed about an inbound mail (e.g. `unverifiedSender`, `autoReply`); true when set. */
  flags: Record<string, boolean>
  createdAt: string
  /** The answer's delivery to the customer; null for the customer's own messages. */
  delivery: { id: string; status: string; address: string } | null
}

/** A message the dev mailbox recorded (the local Mailgun server's control surface). */
export interface RecordedMail {
  /** Its Message-Id, angle brackets included. */
  id: string
  receivedAt: string
  from: string
  to: string[]
  subject: string | null
  text: string | null
  html: string | null
  /** `h:` headers as sent (Reply-To, In-Reply-To, References, …). */
  headers: Record<string, string>
  /** Mailgun tags: what kind of mail we sent (`agent-notification`, `customer-reply`). */
  tags: string[]
  attachments: { field: 'attachment' | 'inline'; filename: string; contentType: string; size: number }[]
}

/** A file sent along with a simulated mail. */
export interface MailUpload {
  filename: string
  contentType?: string
  contentBase64: string
}

/** What the dev mailbox did with a simulated mail: its Message-Id and each route's forward (`status`: Replyflow's answer). */
export interface MailboxSimulation {
  messageId: string
  forwards: { url: string; recipient: string; status: number | null }[]
}

/** An API key as listed: never the key itself, which only its creation answers. */
export interface ApiKey {
  id: string
  name: string
  /** The key's first characters, to recognise it. */
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

/** A new API key: `key` is in this answer only. */
export interface CreatedApiKey {
  id: string
  name: string
  prefix: string
  key: string
}

/** The dev mailbox's counters; `persistent: false` says recorded mail is kept in memory only. */
export interface DevMailboxStats {
  messages: number
  persistent?: boolean
}
