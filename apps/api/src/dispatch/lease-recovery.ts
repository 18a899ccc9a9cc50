import {
  deliveriesPastLease,
  findDeliveries,
  findRuns,
  markDeliveriesRehanded,
  markRunsRehanded,
  runsPastLease,
  setMessageDeliveryStatus,
  updateDelivery,
  updateRun,
  type Db,
} from '@replyflow/db'
import { QUEUES, type JobFate, type Producer, type QueueName } from '@replyflow/queue'
import type { FastifyBaseLogger } from 'fastify'

/** Codes of work the lease recovery gives up on, because a worker failed it on purpose. */
export const ABANDONED = {
  run: 'RUN_ABANDONED',
  delivery: 'MAIL_DELIVERY_ABANDONED',
} as const

/** What one recovery pass did, per kind: ids handed over again, and ids given up on. */
export interface RecoveryResult {
  runs: { rehanded: string[]; abandoned: string[] }
  deliveries: { rehanded: string[]; abandoned: string[] }
}

export interface LeaseRecoveryOptions {
  db: Db
  producer: Producer
  logger: FastifyBaseLogger
  /** Clock in ms since the epoch. */
  now: () => number
  /** Claimed work this old with no live job is handed over again (`WORK_LEASE_MS`). */
  leaseMs: number
  /** Time between passes; by default half the lease, at most 30 s. */
  intervalMs?: number
  /** Most ids one pass looks at per kind. */
  batchSize?: number
}

/**
 * Keeps "a run recorded is eventually executed" true after a claim: a run
 * `running` (or a delivery `sending`/`retrying`) longer than the lease whose
 * job is gone — its worker vanished and the job was removed, or the job failed
 * for good after its retries (API or Redis away too long) — is handed to the
 * queue again; the claim hands a `running` run out with its first snapshot.
 * Work whose job a worker failed on purpose (the API refused its claim or
 * report, so trying again would fail the same way) is marked failed with the
 * worker's reason instead, visible and retryable. A job still waiting, delayed
 * or active is left alone, however old the claim.
 */
export interface LeaseRecovery {
  /** One pass over both kinds; resolves with what it did. */
  recover(): Promise<RecoveryResult>
  /** Starts periodic passes. */
  start(): void
  /** Stops them and waits for a pass in progress. */
  close(): Promise<void>
}

/** How each kind is found, asked about and settled. */
interface Kind {
  queue: QueueName
  pastLease(db: Db, leaseBefore: string, limit: number): string[]
  markRehanded(db: Db, ids: readonly string[], now: string): void
  /** Marks the refused ones failed, if they are still held; returns the ids it changed. */
  abandon(db: Db, refused: readonly Extract<JobFate, { fate: 'refused' }>[], now: string): string[]
}

const runKind: Kind = {
  queue: QUEUES.flowRuns,
  pastLease: runsPastLease,
  markRehanded: markRunsRehanded,
  abandon(db, refused, now) {
    return db.transaction((tx) => {
      const held = new Set(findRuns(tx, refused.map((item) => item.id)).filter((run) => run.status === 'running').map((run) => run.id))
      for (const { id, reason } of refused) {
        if (!held.has(id)) continue
        updateRun(tx, id, { status: 'failed', finishedAt: now, error: { code: ABANDONED.run, message: `a worker gave up on this run: ${reason}` } })
      }
      return [...held]
    })
  },
}

const deliveryKind: Kind = {
  queue: QUEUES.mailOut,
  pastLease: deliveriesPastLease,
  markRehanded: markDeliveriesRehanded,
  abandon(db, refused, now) {
    return db.transaction((tx) => {
      const held = findDeliveries(tx, refused.map((item) => item.id)).filter((delivery) => delivery.status === 'sending' || delivery.status === 'retrying')
      const reasons = new Map(refused.map((item) => [item.id, item.reason]))
      for (const delivery of held) {
        const message = `a worker gave up on this mail: ${reasons.get(delivery.id) ?? 'unknown reason'}`
        updateDelivery(tx, delivery.id, { status: 'failed', lastError: { code: ABANDONED.delivery, message }, updatedAt: now })
        if (delivery.recipientType === 'customer') setMessageDeliveryStatus(tx, delivery.messageId, 'failed')
      }
      return held.map((delivery) => delivery.id)
    })
  },
}

/** Creates the lease recovery of the API process (docs/internals.md, "The dispatcher"). */
export function createLeaseRecovery(options: LeaseRecoveryOptions): LeaseRecovery {
  const { db, producer, logger, now, leaseMs } = options
  const intervalMs = options.intervalMs ?? Math.min(30_000, Math.max(250, Math.floor(leaseMs / 2)))
  const batchSize = options.batchSize ?? 500
  let timer: NodeJS.Timeout | undefined
  let running: Promise<RecoveryResult> | null = null
  let closed = false
  /** Logs an outage once, not on every pass. */
  let failing = false

  async function recoverKind(kind: Kind, name: string): Promise<{ rehanded: string[]; abandoned: string[] }> {
    const nowMs = now()
    const ids = kind.pastLease(db, new Date(nowMs - leaseMs).toISOString(), batchSize)
    if (ids.length === 0) return { rehanded: [], abandoned: [] }
    const fates = await producer.jobFates(kind.queue, ids)
    const lost = fates.filter((item) => item.fate === 'lost').map((item) => item.id)
    const refused = fates.filter((item): item is Extract<JobFate, { fate: 'refused' }> => item.fate === 'refused')
    const at = new Date(nowMs).toISOString()
    if (lost.length > 0) {
      await producer.rehand(kind.queue, lost)
      kind.markRehanded(db, lost, at)
      logger.warn({ kind: name, ids: lost }, 'claimed work outlived its lease with no live job; handed over again')
    }
    const abandoned = refused.length > 0 ? kind.abandon(db, refused, at) : []
    if (abandoned.length > 0) logger.warn({ kind: name, ids: abandoned, reasons: refused.map((item) => item.reason) }, 'a worker gave up on claimed work; marked failed')
    return { rehanded: lost, abandoned }
  }

  async function pass(): Promise<RecoveryResult> {
    try {
      const result = { runs: await recoverKind(runKind, 'runs'), deliveries: await recoverKind(deliveryKind, 'deliveries') }
      if (failing) logger.info('lease recovery reaches the queue again')
      failing = false
      return result
    } catch (error) {
      if (!failing) logger.warn({ err: error }, 'lease recovery failed; the next pass retries')
      failing = true
      return { runs: { rehanded: [], abandoned: [] }, deliveries: { rehanded: [], abandoned: [] } }
    }
  }

  function recover(): Promise<RecoveryResult> {
    // One pass at a time: a slow one (Redis timing out) must not pile up.
    running ??= pass().finally(() => {
      running = null
    })
    return running
  }

  function tick(): void {
    void recover().finally(() => {
      if (closed) return
      timer = setTimeout(tick, intervalMs)
      // Never keeps a process alive on its own.
      timer.unref()
    })
  }

  return {
    recover,
    start() {
      if (timer || closed) return
      timer = setTimeout(tick, intervalMs)
      timer.unref()
    },
    async close() {
      closed = true
      clearTimeout(timer)
      await running
    },
  }
}
