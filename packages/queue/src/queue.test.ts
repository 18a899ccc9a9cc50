import { randomUUID } from 'node:crypto'
import { Queue, QueueEvents, UnrecoverableError, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  QUEUES,
  UNKNOWN_WORK_REASON,
  createProducer,
  createQueueInspector,
  createQueueWorker,
  registerQueueDepthGauge,
  producerConnection,
  workerConnection,
  type Producer,
  type RunFlowJob,
} from './index.ts'

const REDIS_URL = 'redis://127.0.0.1:6379'

describe('queue helpers on a real Redis', () => {
  let prefix: string
  let connections: Redis[]
  let producer: Producer
  const closers: (() => Promise<unknown>)[] = []

  beforeEach(() => {
    prefix = `rf-test-${randomUUID()}`
    connections = [producerConnection(REDIS_URL), workerConnection(REDIS_URL)]
    producer = createProducer({ connection: connections[0]!, prefix })
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
    await producer.close()
    for (const name of Object.values(QUEUES)) {
      const queue = new Queue(name, { connection: connections[0]!, prefix })
      await queue.obliterate({ force: true })
      await queue.close()
    }
    for (const connection of connections) connection.disconnect()
  })

  it('enqueues a run once however often it is handed over', async () => {
    await producer.enqueueRuns(['01RUNAAAAAAAAAAAAAAAAAAAAA'])
    await producer.enqueueRuns(['01RUNAAAAAAAAAAAAAAAAAAAAA', '01RUNBBBBBBBBBBBBBBBBBBBBB'])
    const inspector = createQueueInspector({ connection: connections[0]!, prefix })
    closers.push(() => inspector.close())
    const depths = await inspector.depths()
    expect(depths[QUEUES.flowRuns].waiting).toBe(2)
    expect(depths[QUEUES.mailOut].waiting).toBe(0)
  })

  it('serves the queue depths as a Prometheus gauge, and keeps the last ones when Redis is away', async () => {
    await producer.enqueueRuns(['01RUNAAAAAAAAAAAAAAAAAAAAA', '01RUNBBBBBBBBBBBBBBBBBBBBB'])
    const scraper = producerConnection(REDIS_URL)
    const inspector = createQueueInspector({ connection: scraper, prefix, timeoutMs: 200 })
    const registry = new Registry()
    const errors: unknown[] = []
    registerQueueDepthGauge(registry, inspector, (error) => errors.push(error))
    const waitingRuns = 'replyflow_queue_depth{queue="flow-runs",state="waiting"} 2'
    expect(await registry.metrics()).toContain(waitingRuns)
    expect(await registry.metrics()).toContain('replyflow_queue_depth{queue="mail-out",state="waiting"} 0')

    scraper.disconnect()
    expect(await registry.metrics()).toContain(waitingRuns)
    expect(errors).toHaveLength(1)
  })

  it('revives a job that failed for good when the dispatcher hands its run over again', async () => {
    const runs = new Queue<RunFlowJob>(QUEUES.flowRuns, { connection: connections[0]!, prefix })
    closers.push(() => runs.close())
    const events = new QueueEvents(QUEUES.flowRuns, { connection: workerConnection(REDIS_URL), prefix })
    closers.push(() => events.close())
    await events.waitUntilReady()
    let fail = true
    const worker = createQueueWorker<RunFlowJob>({
      queue: QUEUES.flowRuns,
      connection: connections[1]!,
      prefix,
      concurrency: 1,
      processor: async () => {
        if (fail) throw new UnrecoverableError('the API was away too long')
      },
    })
    closers.push(() => worker.close())
    await producer.enqueueRuns(['01RUNDDDDDDDDDDDDDDDDDDDDD'])
    const job = await runs.getJob('01RUNDDDDDDDDDDDDDDDDDDDDD')
    await expect(job!.waitUntilFinished(events, 10_000)).rejects.toThrow('the API was away too long')

    // A plain hand-over is a no-op for an existing job id: the run would stay stuck.
    await producer.enqueueRuns(['01RUNDDDDDDDDDDDDDDDDDDDDD'])
    expect(await runs.getJobState('01RUNDDDDDDDDDDDDDDDDDDDDD')).toBe('failed')

    fail = false
    await producer.reviveRuns(['01RUNDDDDDDDDDDDDDDDDDDDDD'])
    const revived = await runs.getJob('01RUNDDDDDDDDDDDDDDDDDDDDD')
    await revived!.waitUntilFinished(events, 10_000)
    expect(await runs.getJobState('01RUNDDDDDDDDDDDDDDDDDDDDD')).toBe('completed')
  })

  it('tells live jobs from lost and refused ones, and hands the lost ones over again with fresh attempts', async () => {
    const runs = new Queue<RunFlowJob>(QUEUES.flowRuns, { connection: connections[0]!, prefix })
    closers.push(() => runs.close())
    const events = new QueueEvents(QUEUES.flowRuns, { connection: workerConnection(REDIS_URL), prefix })
    closers.push(() => events.close())
    await events.waitUntilReady()
    const ids = {
      waiting: '01RUNWAITINGAAAAAAAAAAAAAA',
      refused: '01RUNREFUSEDAAAAAAAAAAAAAA',
      exhausted: '01RUNEXHAUSTEDAAAAAAAAAAAA',
      done: '01RUNDONEAAAAAAAAAAAAAAAAA',
      missing: '01RUNMISSINGAAAAAAAAAAAAAA',
      foreign: '01RUNFOREIGNAAAAAAAAAAAAAA',
    }
    // Jobs that end, each its own way, before the waiting one is added.
    let outcome: 'refuse' | 'fail' | 'succeed' | 'unknown' = 'refuse'
    const worker = createQueueWorker<RunFlowJob>({
      queue: QUEUES.flowRuns,
      connection: connections[1]!,
      prefix,
      concurrency: 1,
      processor: async () => {
        if (outcome === 'refuse') throw new UnrecoverableError('POST /internal/v1/runs/report answered 422')
        if (outcome === 'fail') throw new Error('the API was away')
        // Another install's worker on the same Redis and prefix: its API doesn't know the run.
        if (outcome === 'unknown') throw new UnrecoverableError(`${UNKNOWN_WORK_REASON}: the API has no run`)
      },
    })
    closers.push(() => worker.close())
    const finish = async (id: string, attempts?: number) => {
      await runs.add('run-flow', { runId: id }, { jobId: id, ...(attempts ? { attempts } : { attempts: 10 }) })
      await (await runs.getJob(id))!.waitUntilFinished(events, 10_000).catch(() => undefined)
    }
    await finish(ids.refused)
    outcome = 'fail'
    // Its only attempt failed: retries ran out, nothing refused it.
    await finish(ids.exhausted, 1)
    outcome = 'succeed'
    await finish(ids.done)
    outcome = 'unknown'
    await finish(ids.foreign)
    await worker.close()
    await producer.enqueueRuns([ids.waiting])

    const fates = await producer.jobFates(QUEUES.flowRuns, Object.values(ids))
    expect(fates).toEqual([
      { id: ids.waiting, fate: 'live' },
      { id: ids.refused, fate: 'refused', reason: 'POST /internal/v1/runs/report answered 422' },
      { id: ids.exhausted, fate: 'lost' },
      { id: ids.done, fate: 'lost' },
      { id: ids.missing, fate: 'lost' },
      // Failed on purpose, but by a worker that wasn't its install's: lost to its owner, not refused.
      { id: ids.foreign, fate: 'lost' },
    ])

    await producer.rehand(QUEUES.flowRuns, [ids.exhausted, ids.done, ids.missing, ids.waiting, ids.foreign])
    const states = await Promise.all([ids.exhausted, ids.done, ids.missing, ids.waiting, ids.foreign].map((id) => runs.getJobState(id)))
    expect(states).toEqual(['waiting', 'waiting', 'waiting', 'waiting', 'waiting'])
    expect((await runs.getJob(ids.exhausted))?.attemptsMade).toBe(0)
  })

  it('hands a job whose worker died mid-run to another worker', async () => {
    const events = new QueueEvents(QUEUES.flowRuns, { connection: workerConnection(REDIS_URL), prefix })
    closers.push(() => events.close())
    await events.waitUntilReady()

    let startedByFirst!: () => void
    const firstStarted = new Promise<void>((resolve) => (startedByFirst = resolve))
    const first = createQueueWorker<RunFlowJob>({
      queue: QUEUES.flowRuns,
      connection: connections[1]!,
      prefix,
      concurrency: 1,
      lockMs: 1_000,
      processor: () => {
        startedByFirst()
        // Never finishes: this worker "dies" holding the job.
        return new Promise<void>(() => {})
      },
    })
    await producer.enqueueRuns(['01RUNCCCCCCCCCCCCCCCCCCCCC'])
    await firstStarted
    // Closing with force stops lock renewal without finishing the job, as SIGKILL would.
    await first.close(true)

    const processedBy: string[] = []
    const secondConnection = workerConnection(REDIS_URL)
    connections.push(secondConnection)
    const second = createQueueWorker<RunFlowJob>({
      queue: QUEUES.flowRuns,
      connection: secondConnection,
      prefix,
      concurrency: 1,
      lockMs: 1_000,
      processor: async (job: Job<RunFlowJob, void, string>) => {
        processedBy.push(job.data.runId)
      },
    })
    closers.push(() => second.close())
    const runs = new Queue<RunFlowJob>(QUEUES.flowRuns, { connection: connections[0]!, prefix })
    closers.push(() => runs.close())
    const job = await runs.getJob('01RUNCCCCCCCCCCCCCCCCCCCCC')
    await job!.waitUntilFinished(events, 20_000)
    expect(processedBy).toEqual(['01RUNCCCCCCCCCCCCCCCCCCCCC'])
  })
})
