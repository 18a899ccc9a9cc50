import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  closeDb,
  createDb,
  findDeliveries,
  findRuns,
  insertConversation,
  insertCustomer,
  insertDelivery,
  insertFlow,
  insertMessage,
  insertRun,
  insertVersion,
  migrate,
  newId,
  type Db,
} from '@replyflow/db'
import { emptyFlow } from '@replyflow/flow'
import { QUEUES, createProducer, createQueueWorker, producerConnection, workerConnection, type DeliveryStatus, type Producer } from '@replyflow/queue'
import { Queue, QueueEvents, UnrecoverableError } from 'bullmq'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ABANDONED, createLeaseRecovery, type LeaseRecovery } from './lease-recovery.ts'

const REDIS_URL = 'redis://127.0.0.1:6379'
const LEASE_MS = 60_000
const logger = pino({ level: 'silent' })

describe('lease recovery', () => {
  let dir: string
  let db: Db
  let prefix: string
  let connection: ReturnType<typeof producerConnection>
  let producer: Producer
  let queues: { runs: Queue; mail: Queue }
  let recovery: LeaseRecovery
  const clock = { now: Date.parse('2025-01-15T10:00:00.000Z') }
  const iso = (ms: number) => new Date(ms).toISOString()
  let messageId: string

  /** A run a worker claimed `ageMs` ago. */
  function runningRun(ageMs: number): string {
    const at = iso(clock.now - ageMs)
    const flowId = newId(clock.now)
    const versionId = newId(clock.now)
    const id = newId(clock.now)
    const definition = emptyFlow('email')
    insertFlow(db, { id: flowId, name: 'f', channel: 'email', trigger: 'manual', draft: definition, draftUpdatedAt: at, createdAt: at, updatedAt: at })
    insertVersion(db, { id: versionId, flowId, version: 1, definition, checksum: 'x', createdAt: at })
    insertRun(db, { id, flowId, versionId, status: 'running', trigger: 'manual', createdAt: at, enqueuedAt: at, startedAt: at })
    return id
  }

  /** A delivery to the customer, claimed (or last reported) `ageMs` ago. */
  function heldDelivery(status: DeliveryStatus, ageMs: number): string {
    const at = iso(clock.now - ageMs)
    const id = newId(clock.now)
    const mail = { from: 'support@acme.example', to: ['jane@customer.example'], subject: 'Re: Hi', text: 'Hello', headers: {}, tags: [], variables: {} }
    insertDelivery(db, { id, messageId, recipientType: 'customer', recipientId: 'c1', address: 'jane@customer.example', channel: 'email', status, rfcMessageId: `<${id}@acme.example>`, mail, enqueuedAt: at, createdAt: at, updatedAt: at })
    return id
  }

  /** Lets a worker end the jobs of `ids` its own way, then stops it. */
  async function endJobs(queue: Queue, ids: string[], outcome: 'refuse' | 'exhaust'): Promise<void> {
    const events = new QueueEvents(queue.name, { connection: { url: REDIS_URL }, prefix })
    await events.waitUntilReady()
    const workerRedis = workerConnection(REDIS_URL)
    const worker = createQueueWorker<unknown>({
      queue: queue.name === QUEUES.flowRuns ? QUEUES.flowRuns : QUEUES.mailOut,
      connection: workerRedis,
      prefix,
      concurrency: 1,
      processor: async () => {
        throw outcome === 'refuse' ? new UnrecoverableError('POST /internal/v1/runs/report answered 422: an agent was removed') : new Error('the API was away')
      },
    })
    for (const id of ids) {
      await queue.add('job', { id }, { jobId: id, attempts: outcome === 'refuse' ? 10 : 1 })
      await (await queue.getJob(id))?.waitUntilFinished(events, 10_000).catch(() => undefined)
    }
    await worker.close()
    await events.close()
    workerRedis.disconnect()
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rf-lease-'))
    db = createDb(join(dir, 'replyflow.db'))
    migrate(db)
    prefix = `rf-test-${randomUUID()}`
    connection = producerConnection(REDIS_URL)
    producer = createProducer({ connection, prefix })
    queues = { runs: new Queue(QUEUES.flowRuns, { connection: { url: REDIS_URL }, prefix }), mail: new Queue(QUEUES.mailOut, { connection: { url: REDIS_URL }, prefix }) }
    recovery = createLeaseRecovery({ db, producer, logger, now: () => clock.now, leaseMs: LEASE_MS })
    const at = iso(clock.now)
    insertCustomer(db, { id: 'c1', name: 'Jane', email: 'jane@customer.example', createdAt: at, updatedAt: at })
    insertConversation(db, { id: 'conv1', customerId: 'c1', channel: 'email', subject: 'Hi', lastMessageAt: at, createdAt: at, updatedAt: at })
    messageId = newId(clock.now)
    insertMessage(db, { id: messageId, conversationId: 'conv1', direction: 'out', authorType: 'agent', authorId: null, channel: 'email', content: 'Hello', createdAt: at })
  })

  afterEach(async () => {
    await recovery.close()
    for (const queue of Object.values(queues)) {
      await queue.obliterate({ force: true })
      await queue.close()
    }
    await producer.close()
    connection.disconnect()
    closeDb(db)
    rmSync(dir, { recursive: true, force: true })
  })

  it('hands a run claimed longer than the lease whose job is gone to the queue again, once per lease', async () => {
    const stuck = runningRun(LEASE_MS + 1_000)
    const result = await recovery.recover()
    expect(result.runs).toEqual({ rehanded: [stuck], abandoned: [] })
    expect(await queues.runs.getJobState(stuck)).toBe('waiting')
    expect(findRuns(db, [stuck])[0]).toMatchObject({ status: 'running', enqueuedAt: iso(clock.now) })

    // The new lease starts now: the job is handed over, nothing happens until it lapses again.
    await queues.runs.remove(stuck)
    expect((await recovery.recover()).runs.rehanded).toEqual([])
    clock.now += LEASE_MS + 1_000
    expect((await recovery.recover()).runs.rehanded).toEqual([stuck])
  })

  it('hands over again a run whose job failed for good after its retries', async () => {
    const stuck = runningRun(LEASE_MS + 1_000)
    await endJobs(queues.runs, [stuck], 'exhaust')
    expect(await queues.runs.getJobState(stuck)).toBe('failed')
    expect((await recovery.recover()).runs.rehanded).toEqual([stuck])
    expect(await queues.runs.getJobState(stuck)).toBe('waiting')
  })

  it('leaves alone a run within its lease, and an old one whose job is still waiting', async () => {
    const fresh = runningRun(LEASE_MS - 1_000)
    const waiting = runningRun(LEASE_MS + 1_000)
    await producer.enqueueRuns([waiting])
    expect(await recovery.recover()).toEqual({ runs: { rehanded: [], abandoned: [] }, deliveries: { rehanded: [], abandoned: [] } })
    expect(await queues.runs.getJobState(fresh)).toBe('unknown')
  })

  it('marks failed, with the reason, a run a worker failed on purpose: handing it over would fail the same way', async () => {
    const refused = runningRun(LEASE_MS + 1_000)
    await endJobs(queues.runs, [refused], 'refuse')
    expect((await recovery.recover()).runs).toEqual({ rehanded: [], abandoned: [refused] })
    const [run] = findRuns(db, [refused])
    expect(run?.status).toBe('failed')
    expect(run?.error).toEqual({ code: ABANDONED.run, message: 'a worker gave up on this run: POST /internal/v1/runs/report answered 422: an agent was removed' })
  })

  it('does the same for deliveries stuck sending or retrying', async () => {
    const sending = heldDelivery('sending', LEASE_MS + 1_000)
    const refused = heldDelivery('retrying', LEASE_MS + 1_000)
    const recent = heldDelivery('sending', 1_000)
    const sent = heldDelivery('sent', LEASE_MS + 1_000)
    await endJobs(queues.mail, [refused], 'refuse')
    expect((await recovery.recover()).deliveries).toEqual({ rehanded: [sending], abandoned: [refused] })
    expect(await queues.mail.getJobState(sending)).toBe('waiting')
    const rows = new Map(findDeliveries(db, [sending, refused, recent, sent]).map((row) => [row.id, row]))
    expect(rows.get(sending)?.status).toBe('sending')
    expect(rows.get(refused)).toMatchObject({ status: 'failed', lastError: { code: ABANDONED.delivery } })
    expect(rows.get(recent)?.status).toBe('sending')
    expect(rows.get(sent)?.status).toBe('sent')
    expect(db.$client.prepare<[string], { delivery_status: string }>('SELECT delivery_status FROM messages WHERE id = ?').get(messageId)?.delivery_status).toBe('failed')
  })
})
