import { createHash } from 'node:crypto'
import {
  findCustomerByEmail,
  findCustomerById,
  findCustomerByPhone,
  findIdempotencyKey,
  findRun,
  insertConversation,
  insertCustomer,
  insertIdempotencyKey,
  insertMessage,
  insertRun,
  listSteps,
  newId,
  updateCustomer,
  type CustomerRow,
  type DbOrTx,
  type JsonObject,
  type RunResume,
  type RunStepRow,
  type RunWithVersion,
} from '@replyflow/db'
import { canonicalJson, type Channel, type Effect, type FlowDefinition } from '@replyflow/flow'
import type { Static } from 'typebox'
import type { AppDeps } from '../deps.ts'
import { ApiError, conflict, notFound } from '../errors.ts'
import { assertValidDefinition, getFlow } from '../flows/flows.service.ts'
import { handOver } from '../mail/hand-over.ts'
import type { RunInputSchema } from './runs.schemas.ts'

type Deps = Pick<AppDeps, 'db' | 'now' | 'producer' | 'logger'>
type RunInput = Static<typeof RunInputSchema>

/** The run, or 404. */
export function getRun(db: DbOrTx, id: string): RunWithVersion {
  const run = findRun(db, id)
  if (!run) throw notFound('run', id)
  return run
}

/** A run with its steps and effects, and the draft it ran if it is a dry run of one, as `GET runs/:id` shows it. */
export function runWithSteps(db: DbOrTx, id: string): RunWithVersion & { steps: RunStepRow[]; effects: Effect[] } {
  const run = getRun(db, id)
  return { ...run, steps: listSteps(db, id), effects: run.effects ?? [], definition: run.versionId ? null : run.definition }
}

function findOrCreateCustomer(tx: DbOrTx, input: RunInput['customer'], now: string): CustomerRow {
  if (input.id) {
    const customer = findCustomerById(tx, input.id)
    if (!customer) throw new ApiError(422, 'API_CUSTOMER_NOT_FOUND', `no customer "${input.id}"`)
    if (input.custom) updateCustomer(tx, customer.id, { custom: { ...customer.custom, ...input.custom }, updatedAt: now })
    return findCustomerById(tx, customer.id) ?? customer
  }
  const existing = (input.email && findCustomerByEmail(tx, input.email)) || (input.phone && findCustomerByPhone(tx, input.phone)) || undefined
  if (existing) {
    updateCustomer(tx, existing.id, {
      name: existing.name ?? input.name ?? null,
      phone: existing.phone ?? input.phone ?? null,
      custom: { ...existing.custom, ...input.custom },
      updatedAt: now,
    })
    return findCustomerById(tx, existing.id) ?? existing
  }
  const id = newId()
  insertCustomer(tx, {
    id,
    name: input.name ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    custom: input.custom ?? {},
    createdAt: now,
    updatedAt: now,
  })
  const created = findCustomerById(tx, id)
  if (!created) throw new Error('customer vanished after insert')
  return created
}

/** sha256 of a request body, to tell a retried request from a reuse of its `Idempotency-Key`. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex')
}

/** What `POST flows/:id/runs` asks for. */
export interface StartRunRequest {
  input: RunInput
  /** Execute without storing a customer, conversation or message and without applying effects. */
  dryRun?: boolean
  /** A draft to dry-run instead of the active version. */
  definition?: FlowDefinition
}

/**
 * Starts a manual run of a flow's active version. The customer's message is
 * stored as it would be had it arrived (customer, conversation, message), so
 * the run assigns and notifies exactly as a real one; all of it and the
 * `queued` run are written in one transaction, then the run is handed to the
 * queue. A dry run stores only the run (with its input): the worker executes
 * it and the API records what it would have done. It pins the active version,
 * or runs `definition` (validated as publishing does). A disabled flow runs
 * only dry (409 `API_FLOW_DISABLED` otherwise). With an
 * `Idempotency-Key`, the same key and body return the same run.
 */
export async function startManualRun(
  deps: Deps,
  flowId: string,
  request: StartRunRequest,
  idempotencyKey: string | undefined,
): Promise<{ run: RunWithVersion; created: boolean }> {
  const { input, definition } = request
  const dryRun = request.dryRun ?? false
  if (definition && !dryRun) {
    const message = 'a definition runs only as a dry run (a draft never runs for real): add dryRun: true, or publish it first'
    throw new ApiError(400, 'API_VALIDATION', `body/definition: ${message}`, [{ path: 'body/definition', message }])
  }
  const scope = `flow-runs:${flowId}`
  // A real run hashes as before dry runs existed, so keys already stored keep matching.
  const hash = requestHash(dryRun ? { input, dryRun, definition: definition ?? null } : { input })
  const outcome = deps.db.transaction((tx) => {
    if (idempotencyKey) {
      const seen = findIdempotencyKey(tx, scope, idempotencyKey)
      if (seen && seen.requestHash !== hash) {
        throw new ApiError(422, 'API_IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body; use a new key for a new run')
      }
      if (seen) return { run: getRun(tx, seen.runId), created: false }
    }
    const flow = getFlow(tx, flowId)
    if (definition) assertValidDefinition(flow, definition)
    else if (!flow.activeVersionId) throw conflict('API_FLOW_NOT_PUBLISHED', `flow "${flow.name}" has no published version to run; publish it first`)
    // A disabled flow does nothing for real (another flow may serve its trigger now); a dry run still tries it.
    if (!dryRun && !flow.enabled) throw conflict('API_FLOW_DISABLED', `flow "${flow.name}" is disabled; enable it to run it, or start a dry run`)
    const nowMs = deps.now()
    const now = new Date(nowMs).toISOString()
    if (dryRun) {
      const runId = newId(nowMs)
      insertRun(tx, {
        id: runId,
        flowId,
        versionId: definition ? null : flow.activeVersionId,
        definition: definition ?? null,
        dryRun: true,
        status: 'queued',
        trigger: 'manual',
        input: toJson(input),
        createdAt: now,
      })
      if (idempotencyKey) insertIdempotencyKey(tx, { scope, key: idempotencyKey, runId, requestHash: hash, createdAt: now })
      return { run: getRun(tx, runId), created: true }
    }
    if (!flow.activeVersionId) throw conflict('API_FLOW_NOT_PUBLISHED', `flow "${flow.name}" has no published version to run; publish it first`)
    const channel: Channel = input.message.channel ?? flow.channel
    const customer = findOrCreateCustomer(tx, input.customer, now)
    const conversationId = newId(nowMs)
    insertConversation(tx, {
      id: conversationId,
      customerId: customer.id,
      channel,
      subject: input.message.subject ?? null,
      status: 'open',
      lastMessageAt: now,
      createdAt: now,
      updatedAt: now,
    })
    const messageId = newId(nowMs)
    insertMessage(tx, {
      id: messageId,
      conversationId,
      direction: 'in',
      authorType: 'customer',
      authorId: customer.id,
      channel,
      subject: input.message.subject ?? null,
      content: input.message.content,
      fullText: input.message.content,
      flags: { manual: true },
      createdAt: now,
    })
    const runId = newId(nowMs)
    insertRun(tx, {
      id: runId,
      flowId,
      versionId: flow.activeVersionId,
      status: 'queued',
      trigger: 'manual',
      input: toJson(input),
      conversationId,
      messageId,
      createdAt: now,
    })
    if (idempotencyKey) insertIdempotencyKey(tx, { scope, key: idempotencyKey, runId, requestHash: hash, createdAt: now })
    return { run: getRun(tx, runId), created: true }
  })
  if (outcome.created) await handOver(deps, { runIds: [outcome.run.id] })
  return outcome
}

function toJson(input: RunInput): JsonObject {
  // The schema-checked input is plain JSON; a round trip gives it the JSON type without a cast.
  const parsed: unknown = JSON.parse(JSON.stringify(input))
  return isJsonObject(parsed) ? parsed : {}
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Where a failed run resumes: at its failed step, with the variables gathered
 * before it (its own resume point's, plus every earlier step's `var_` outputs).
 * null when it failed before reaching any node.
 */
export function resumePoint(run: RunWithVersion, steps: readonly RunStepRow[]): RunResume | null {
  const failedIndex = steps.findLastIndex((step) => step.error !== null || step.result === 'FAILURE')
  const nodeId = steps[failedIndex]?.nodeId ?? run.error?.nodeId
  if (!nodeId) return null
  const before = failedIndex >= 0 ? steps.slice(0, failedIndex) : steps
  const variables: Record<string, unknown> = { ...run.resume?.variables }
  for (const step of before) {
    for (const [name, value] of Object.entries(step.outputs)) if (name.startsWith('var_')) variables[name] = value
  }
  return { nodeId, variables }
}

/**
 * Retries a failed run as a new run: from its failed step on the same version
 * with the variables gathered so far, or `fromStart` on the flow's active version.
 */
export async function retryRun(deps: Deps, runId: string, options: { fromStart: boolean }): Promise<RunWithVersion> {
  const retry = deps.db.transaction((tx) => {
    const run = getRun(tx, runId)
    if (run.status !== 'failed') throw conflict('API_RUN_NOT_FAILED', `run "${runId}" is ${run.status}; only failed runs can be retried`)
    let versionId = run.versionId
    let resume: RunResume | null = null
    if (options.fromStart) {
      const flow = getFlow(tx, run.flowId)
      if (!flow.activeVersionId) throw conflict('API_FLOW_NOT_PUBLISHED', `flow "${flow.name}" has no active version`)
      versionId = flow.activeVersionId
    } else {
      resume = resumePoint(run, listSteps(tx, runId))
    }
    const nowMs = deps.now()
    const id = newId(nowMs)
    insertRun(tx, {
      id,
      flowId: run.flowId,
      versionId,
      // A dry run's retry is dry too; from its failed step, a draft's retry runs the same draft.
      definition: versionId === run.versionId ? run.definition : null,
      dryRun: run.dryRun,
      status: 'queued',
      trigger: run.trigger,
      input: run.input,
      conversationId: run.conversationId,
      messageId: run.messageId,
      attempt: run.attempt + 1,
      retryOf: run.id,
      resume,
      createdAt: new Date(nowMs).toISOString(),
    })
    return getRun(tx, id)
  })
  await handOver(deps, { runIds: [retry.id] })
  return retry
}
