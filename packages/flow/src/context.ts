import type { Channel } from './definition.ts'

/** A custom field's value, as the team stores it per customer. */
export type CustomValue = string | number | boolean | null

/** An agent as a run sees it. */
export interface AgentSnapshot {
  id: string
  name: string
  email: string
  phone?: string | null
  online: boolean
}

/**
 * Everything a run may read, captured when the run starts. The engine reads
 * nothing else, so a run replays identically from its snapshot.
 */
export interface RunContext {
  customer: {
    id: string | null
    name: string | null
    email: string | null
    phone: string | null
    custom: Record<string, CustomValue>
  }
  message: {
    id: string | null
    subject: string | null
    content: string
    channel: Channel
  }
  conversation: {
    id: string | null
    assignees: string[]
  }
  agents: AgentSnapshot[]
}
