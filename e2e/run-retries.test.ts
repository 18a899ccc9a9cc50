import { JOB_OPTIONS, QUEUES } from '@replyflow/queue'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, referenceFlow, startSystem, type System } from './harness.ts'
import { startFailingProxy, type FailingProxy } from './failing-proxy.ts'

// Issue 4: "Runs that fail for a user reason fail without retry, with the reason on the run;
// operational failures retry with exponential backoff and jitter" — through a real worker process.

const CLAIM = '/internal/v1/runs/claim'

describe('run failures, through a worker process', () => {
  let system: System
  let proxy: FailingProxy
  let queue: Queue
  let flowId: string
  const backoffs: Promise<number>[] = []

  beforeAll(async () => {
    system = await startSystem({ workers: 0 })
    // The worker reaches the API through a proxy that can answer 503 in its place.
    proxy = await startFailingProxy(system.apiUrl)
    proxy.failNext(CLAIM, 0)
    queue = new Queue(QUEUES.flowRuns, { connection: { url: system.redisUrl }, prefix: system.prefix })
    // At each claim: which attempt BullMQ counts it as.
    proxy.onCall = async (_path, body) => (await queue.getJob((body as { runIds: string[] }).runIds[0] ?? ''))?.attemptsStarted
    // After each failed claim: the backoff BullMQ chose, read from the job while it waits delayed.
    proxy.afterAnswer = (call) => {
      if (call.status !== 503) return
      const runId = (call.body as { runIds: string[] }).runIds[0] ?? ''
      backoffs.push(
        eventually(
          async () => {
            // State first: the job read after it is the delayed one (promoted only once its delay passed).
            if ((await queue.getJobState(runId)) !== 'delayed') return undefined
            return (await queue.getJob(runId))?.delay
          },
          { intervalMs: 10, what: `run ${runId} waiting delayed` },
        ),
      )
    }
    await system.addWorker({ API_URL: proxy.url })
    flowId = (await system.publishFlow(referenceFlow())).id
  })
  afterAll(async () => {
    await queue?.close()
    await proxy?.close()
    await system?.stop()
  })

  const claimsOf = (runId: string) => proxy.calls.filter((call) => (call.body as { runIds: string[] }).runIds.includes(runId))
  const workerLines = (runId: string, msg: string) => system.workers[0]?.lines.filter((line) => line.msg === msg && line.runId === runId) ?? []

  it('fails a run with no agent to assign once, with its reason, and never retries it', async () => {
    // No agent exists: "parcel" has no "refund", so Assign all agents answers FAILURE, and it has no FAILURE edge.
    const runId = await system.triggerRun(flowId, { message: { content: 'Where is my parcel?' } })
    const run = await system.waitForRun(runId)
    expect(run.status).toBe('failed')
    expect(run.error).toMatchObject({ code: 'RUN_NO_AGENTS', message: 'there are no agents to assign' })
    expect(run.steps.map((step) => [step.nodeId, step.result])).toEqual([
      ['start', 'SUCCESS'],
      ['customer', 'SUCCESS'],
      ['check', 'FALSE'],
      ['assign', 'FAILURE'],
    ])

    // Failed for good in BullMQ after one attempt (a retry would leave it delayed, with attempts to spare).
    const job = await eventually(
      async () => {
        const found = await queue.getJob(runId)
        return found && (await found.getState()) === 'failed' ? found : undefined
      },
      { what: 'the job failed' },
    )
    expect(job.attemptsMade).toBe(1)
    expect(job.opts.attempts).toBe(JOB_OPTIONS[QUEUES.flowRuns].attempts)
    expect(job.failedReason).toBe('RUN_NO_AGENTS: there are no agents to assign')
    expect(claimsOf(runId)).toHaveLength(1)
    expect(workerLines(runId, 'job failed')).toHaveLength(1)
    expect(workerLines(runId, 'job will be retried')).toHaveLength(0)
    // The API shows the same after the job failed: nothing ran it again.
    expect(await system.request('GET', `/runs/${runId}`)).toMatchObject({ status: 200, body: { status: 'failed', error: { code: 'RUN_NO_AGENTS' } } })
  })

  it('retries a run whose claim failed (API away) with growing backoff, and completes it once the API answers', async () => {
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    proxy.failNext(CLAIM, 2)
    const runId = await system.triggerRun(flowId, { message: { content: 'Where is my parcel?' } })
    const run = await system.waitForRun(runId, 60_000)
    expect(run.status).toBe('succeeded')
    expect(run.error).toBeNull()
    expect(run.steps.map((step) => step.nodeId)).toEqual(['start', 'customer', 'check', 'assign', 'convert', 'end'])
    await system.mailgun.waitForMessages(1, { where: (message) => (message.text ?? '').includes('Where is my parcel?') })

    // Three claims: two answered 503, the third reached the API; each retry waited longer than the one before.
    const claims = claimsOf(runId)
    expect(claims.map((call) => call.status)).toEqual([503, 503, 200])
    expect(claims.map((call) => call.seen)).toEqual([1, 2, 3])
    const [first, second, ...more] = await Promise.all(backoffs)
    expect(more).toEqual([])
    const { delay: base, jitter } = JOB_OPTIONS[QUEUES.flowRuns].backoff
    // Exponential with jitter: the n-th retry waits within [base·2ⁿ⁻¹·(1 − jitter), base·2ⁿ⁻¹).
    expect(first).toBeGreaterThanOrEqual(base * (1 - jitter))
    expect(first).toBeLessThan(base)
    expect(second).toBeGreaterThanOrEqual(base * 2 * (1 - jitter))
    expect(second).toBeLessThan(base * 2)
    expect(second).toBeGreaterThan(first ?? Infinity)

    const job = await eventually(
      async () => {
        const found = await queue.getJob(runId)
        return found && (await found.getState()) === 'completed' ? found : undefined
      },
      { what: 'the job completed' },
    )
    expect(job.opts).toMatchObject({ attempts: JOB_OPTIONS[QUEUES.flowRuns].attempts, backoff: JOB_OPTIONS[QUEUES.flowRuns].backoff })
    expect(job.attemptsStarted).toBe(3)
    expect(job.stacktrace).toHaveLength(2)
    expect(workerLines(runId, 'job will be retried')).toHaveLength(2)
  })
})
