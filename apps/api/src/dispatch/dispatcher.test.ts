import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDb, createDb, findRuns, insertFlow, insertRun, insertVersion, migrate, newId, type Db } from '@replyflow/db'
import { emptyFlow } from '@replyflow/flow'
import { QUEUES, createProducer, producerConnection, type Producer } from '@replyflow/queue'
import { startPrivateRedis, type PrivateRedis } from '@replyflow/queue/testing'
import { Queue } from 'bullmq'
import type { producerConnection as ProducerConnection } from '@replyflow/queue'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatcher } from './dispatcher.ts'
import { DISPATCH, runSource } from './sources.ts'

const logger = pino({ level: 'silent' })

describe('dispatcher', () => {
  let dir: string
  let db: Db
  let redis: PrivateRedis
  let connection: ReturnType<typeof ProducerConnection>
  let producer: Producer
  let queue: Queue
  let dispatcher: Dispatcher
  const clock = { now: Date.parse('2025-01-15T10:00:00.000Z') }

  /** Writes a `queued` run of a fresh flow, as a webhook or a trigger would. */
  function queuedRun(): string {
    const at = new Date(clock.now).toISOString()
    const flowId = newId(clock.now)
    const versionId = newId(clock.now)
    const runId = newId(clock.now)
    const definition = emptyFlow('email')
    insertFlow(db, { id: flowId, name: 'f', channel: 'email', trigger: 'manual', draft: definition, draftUpdatedAt: at, createdAt: at, updatedAt: at })
    insertVersion(db, { id: versionId, flowId, version: 1, definition, checksum: 'x', createdAt: at })
    insertRun(db, { id: runId, flowId, versionId, status: 'queued', trigger: 'manual', createdAt: at })
    return runId
  }

  async function jobIds(): Promise<string[]> {
    const jobs = await queue.getJobs(['waiting'])
    return jobs.map((job) => job.id ?? '').sort()
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rf-dispatch-'))
    db = createDb(join(dir, 'replyflow.db'))
    migrate(db)
    redis = await startPrivateRedis()
    connection = producerConnection(redis.url)
    connection.on('error', () => {
      // Expected while the test has Redis stopped.
    })
    producer = createProducer({ connection, prefix: 'rf-test' })
    queue = new Queue(QUEUES.flowRuns, { connection: { url: redis.url }, prefix: 'rf-test' })
    dispatcher = createDispatcher({ sources: [runSource(db, producer)], logger, now: () => clock.now, staleMs: 60_000 })
  })

  afterEach(async () => {
    await dispatcher.close()
    await queue.close()
    await producer.close()
    connection.disconnect()
    await redis.destroy()
    closeDb(db)
    rmSync(dir, { recursive: true, force: true })
  })

  it('hands committed runs to the queue in one batch and records when', async () => {
    const ids = [queuedRun(), queuedRun(), queuedRun()]
    for (const id of ids) dispatcher.handOver(DISPATCH.runs, [id])
    await dispatcher.idle()
    expect(await jobIds()).toEqual([...ids].sort())
    expect(findRuns(db, ids).map((run) => run.enqueuedAt)).toEqual(ids.map(() => '2025-01-15T10:00:00.000Z'))
    // Nothing is due any more: a sweep hands over nothing.
    expect(await dispatcher.sweep()).toEqual({ runs: 0 })
  })

  it('loses no run while Redis is down: the sweep hands it over once Redis is back', async () => {
    await redis.stop()
    const id = queuedRun()
    dispatcher.handOver(DISPATCH.runs, [id])
    await dispatcher.idle()
    expect(findRuns(db, [id])[0]?.enqueuedAt).toBeNull()
    expect(await dispatcher.sweep()).toEqual({ runs: 0 })

    await redis.start()
    const deadline = Date.now() + 10_000
    // ioredis reconnects on its own; sweep until the run gets through, as the timer would.
    while ((await dispatcher.sweep()).runs === 0) {
      if (Date.now() > deadline) throw new Error('the sweep never handed the run over')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await jobIds()).toEqual([id])
    expect(findRuns(db, [id])[0]?.enqueuedAt).not.toBeNull()
  })

  it('hands over again a run still queued after the stale window (Redis lost it)', async () => {
    const id = queuedRun()
    dispatcher.handOver(DISPATCH.runs, [id])
    await dispatcher.idle()
    await queue.obliterate({ force: true })
    expect(await dispatcher.sweep()).toEqual({ runs: 0 })
    clock.now += 61_000
    expect(await dispatcher.sweep()).toEqual({ runs: 1 })
    expect(await jobIds()).toEqual([id])
  })
})
