import type { Effect, FlowDefinition, RunContext, RunError, Step } from '@replyflow/flow'
import type { OutboundMail } from '@replyflow/mail'

// The worker's view of the API's `/internal/v1` surface (docs/internals.md,
// "The worker surface of the API"). Keep in step with that table.

/** Run statuses (DESIGN.md §4). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed'

/** A run handed to a worker: everything it needs to execute, in one answer. */
export interface ClaimedRun {
  runId: string
  flowId: string
  /** null for a dry run of a draft, whose definition always comes inline. */
  versionId: string | null
  /** Executed like any run; the API records its effects without applying them. */
  dryRun: boolean
  status: RunStatus
  /** null when the worker listed the version in `knownVersionIds` (versions are immutable). */
  definition: FlowDefinition | null
  context: RunContext
  resume: { nodeId: string; variables: Record<string, unknown> } | null
}

/** What a worker reports once a run has been executed. */
export interface RunReport {
  runId: string
  status: 'succeeded' | 'failed'
  steps: Step[]
  effects: Effect[]
  error: RunError | null
}

/** Delivery statuses (docs/internals.md, "Deliveries"). */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'suppressed' | 'retrying' | 'complained'

/** A delivery handed to a worker, with its composed mail. */
export interface ClaimedDelivery {
  deliveryId: string
  status: DeliveryStatus
  mail: OutboundMail
}

/** The outcome of one send attempt. */
export interface DeliveryResult {
  deliveryId: string
  status: 'sent' | 'retrying' | 'failed'
  providerId?: string
  error?: { code: string; message: string; httpStatus?: number }
  attempt: number
}

/** Runs and deliveries in these states are done: a worker skips them. */
export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed'])
export const FINISHED_DELIVERY_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['sent', 'delivered', 'failed', 'suppressed', 'complained'])
