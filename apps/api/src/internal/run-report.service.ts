import {
  addAssignees,
  claimEffect,
  conversationMailIds,
  findAgents,
  findConversationById,
  findCustomerById,
  findDeliveriesByRfcIds,
  findMessageById,
  findRunStates,
  inGroupCommit,
  insertDelivery,
  insertSteps,
  newId,
  updateRun,
  type DbOrTx,
  type JsonObject,
  type RunState,
} from '@replyflow/db'
import type { Effect } from '@replyflow/flow'
import { composeAgentNotification, type OfflineEmailSettings } from '@replyflow/mail'
import type { RunReport, RunStatus } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { deliveryGate } from '../mail/delivery-gate.ts'
import { handOver } from '../mail/hand-over.ts'
import { mailIdentity, offlineEmailSettings, type MailIdentity } from '../mail/mail-identity.ts'

type Deps = Pick<AppDeps, 'db' | 'now' | 'config' | 'producer' | 'logger'>

interface Mailing {
  identity: MailIdentity
  settings: OfflineEmailSettings
  nowMs: number
  /** Automated mails one agent may get per hour; 0: no cap. */
  capPerHour: number
}

/** SQLite's constraint failures (foreign key, unique, check): the report asked for something impossible. */
function isConstraintError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('SQLITE_CONSTRAINT')
}

function applyAssign(tx: DbOrTx, run: RunState, effect: Extract<Effect, { type: 'assign_agents' }>, now: string): void {
  // A run without a conversation (nothing to assign) still records the effect as applied.
  if (run.conversationId) addAssignees(tx, run.conversationId, effect.agentIds, now)
}

/** One delivery per recipient, each with its composed notification; returns the ids to enqueue. */
function applyDeliver(tx: DbOrTx, run: RunState, effect: Extract<Effect, { type: 'deliver_message' }>, mailing: Mailing): string[] {
  const message = run.messageId ? findMessageById(tx, run.messageId) : undefined
  const conversation = message ? findConversationById(tx, message.conversationId) : undefined
  if (!message || !conversation) return []
  // The message's own author: in a thread others joined (a colleague in Cc answering), that is not the conversation's customer.
  const customer = findCustomerById(tx, message.authorType === 'customer' && message.authorId ? message.authorId : conversation.customerId)
  const agents = new Map(findAgents(tx, effect.recipients.map((r) => r.agentId)).map((agent) => [agent.id, agent]))
  const references = conversationMailIds(tx, conversation.id).map((entry) => entry.rfcMessageId)
  const now = new Date(mailing.nowMs).toISOString()
  const queued: string[] = []
  for (const recipient of effect.recipients) {
    const agent = agents.get(recipient.agentId)
    if (!agent) throw new ApiError(422, 'API_REPORT_UNKNOWN_AGENT', `effect of node "${effect.nodeId}" names no agent "${recipient.agentId}"`)
    const mail = composeAgentNotification({
      settings: mailing.settings,
      agent: { id: agent.id, name: agent.name, email: recipient.address },
      customer: { name: customer?.name ?? null, email: customer?.email ?? null, phone: customer?.phone ?? null },
      conversation: { id: conversation.id, subject: conversation.subject, references },
      message: { id: message.id, subject: effect.message.subject, text: effect.message.text },
      domain: mailing.identity.domain,
      secret: mailing.identity.secret,
    })
    const rfcMessageId = mail.headers['Message-Id'] ?? `<${newId(mailing.nowMs)}@${mailing.identity.domain}>`
    // The Message-Id is per (message, agent): another run (a retry, a second flow) already notified this agent of it.
    if (findDeliveriesByRfcIds(tx, [rfcMessageId]).length > 0) continue
    const sms = effect.channel === 'sms'
    const gate = sms
      ? ({ status: 'failed', error: { code: 'MAIL_SMS_UNAVAILABLE', message: 'no SMS provider is configured' } } as const)
      : deliveryGate(tx, recipient.address, { automated: true, now: mailing.nowMs, capPerHour: mailing.capPerHour })
    const id = newId(mailing.nowMs)
    insertDelivery(tx, {
      id,
      messageId: message.id,
      runId: run.id,
      nodeId: effect.nodeId,
      recipientType: 'agent',
      recipientId: agent.id,
      address: recipient.address.toLowerCase(),
      channel: effect.channel,
      status: gate.status,
      rfcMessageId,
      lastError: gate.status === 'queued' ? null : gate.error,
      mail,
      createdAt: now,
      updatedAt: now,
    })
    if (gate.status === 'queued') queued.push(id)
  }
  return queued
}

/**
 * Applies one report: the steps, each effect once per (run, node), and the
 * run's final status; the effects are recorded on the run as reported. A dry
 * run's effects are only recorded, never applied. A report for a finished run
 * changes nothing. Runs inside a savepoint of the caller's transaction: if any
 * part fails, none of it is written.
 */
function applyReport(tx: DbOrTx, report: RunReport, mailing: Mailing): { status: RunStatus; deliveryIds: string[] } | null {
  const [run] = findRunStates(tx, [report.runId])
  if (!run) return null
  if (run.status === 'succeeded' || run.status === 'failed') return { status: run.status, deliveryIds: [] }
  const now = new Date(mailing.nowMs).toISOString()
  insertSteps(tx, run.id, report.steps.map((step) => ({ ...step, error: step.error ?? null })))
  const finished = { status: report.status, error: report.error, effects: report.effects, finishedAt: now, startedAt: run.startedAt ?? now }
  // The API decides from its own record, never from the worker's say-so, that a run is dry.
  if (run.dryRun) {
    updateRun(tx, run.id, finished)
    return { status: report.status, deliveryIds: [] }
  }
  const deliveryIds: string[] = []
  for (const effect of report.effects) {
    const payload: JsonObject = effect.type === 'assign_agents' ? { agentIds: effect.agentIds } : { channel: effect.channel, recipients: effect.recipients.map((r) => r.agentId) }
    if (!claimEffect(tx, { runId: run.id, nodeId: effect.nodeId, type: effect.type, payload, appliedAt: now })) continue
    if (effect.type === 'assign_agents') applyAssign(tx, run, effect, now)
    else deliveryIds.push(...applyDeliver(tx, run, effect, mailing))
  }
  updateRun(tx, run.id, finished)
  return { status: report.status, deliveryIds }
}

/**
 * Stores workers' run reports, each all or nothing, then hands the deliveries
 * they created to the queue. Unknown runs are left out of the answer. The
 * reports share one commit (each in a savepoint of it, and with other writes
 * of the same moment, `inGroupCommit`): a report that fails
 * rolls back to its savepoint, the ones before it are committed, and the call
 * answers with the failure — as if each had been its own transaction.
 */
export async function reportRuns(deps: Deps, reports: readonly RunReport[]): Promise<{ runId: string; status: RunStatus }[]> {
  const mailing: Mailing = { identity: mailIdentity(deps), settings: offlineEmailSettings(deps), nowMs: deps.now(), capPerHour: deps.config.automatedMailCapPerHour }
  const items: { runId: string; status: RunStatus }[] = []
  const deliveryIds: string[] = []
  const failure = await inGroupCommit(deps.db, (tx): { runId: string; error: unknown } | null => {
    for (const report of reports) {
      let outcome: ReturnType<typeof applyReport>
      try {
        // better-sqlite3 runs a transaction function called inside a transaction as a savepoint.
        outcome = deps.db.$client.transaction(() => applyReport(tx, report, mailing))()
      } catch (error) {
        return { runId: report.runId, error }
      }
      if (!outcome) continue
      items.push({ runId: report.runId, status: outcome.status })
      deliveryIds.push(...outcome.deliveryIds)
    }
    return null
  })
  // Reports stored before a failing one are committed: their mail must still go out.
  await handOver(deps, { deliveryIds })
  if (failure) throw rejected(failure)
  return items
}

function rejected({ runId, error }: { runId: string; error: unknown }): unknown {
  if (isConstraintError(error)) {
    return new ApiError(422, 'API_REPORT_REJECTED', `the report of run "${runId}" breaks a rule of the database (${error.message}); nothing of it was stored`, undefined, { cause: error })
  }
  return error
}
