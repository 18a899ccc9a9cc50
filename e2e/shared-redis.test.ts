import { JOB_OPTIONS, JOBS, QUEUES, UNKNOWN_WORK_REASON } from '@replyflow/queue'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, referenceFlow, startSystem, type System } from './harness.ts'

// Issue 4, round 2: two installs on one Redis with the same QUEUE_PREFIX. A job
// queued by the other install reaches this install's worker; it must not touch
// anything, retry, or be mistaken for work its owner's API refused.

describe('a job of another install on the same Redis and prefix', () => {
  let system: System
  let runs: Queue
  let mail: Queue
  beforeAll(async () => {
    system = await startSystem()
    runs = new Queue(QUEUES.flowRuns, { connection: { url: system.redisUrl }, prefix: system.prefix })
    mail = new Queue(QUEUES.mailOut, { connection: { url: system.redisUrl }, prefix: system.prefix })
  })
  afterAll(async () => {
    await Promise.all([runs.close(), mail.close()])
    await system.stop()
  })

  it('is failed once, without retrying or reporting, with a reason its owner reads as lost, and logged at warn', async () => {
    // Ids the API of this install never made, with the owner's retry policy.
    const runId = '01OTHERINSTALLRUNAAAAAAAAA'
    const deliveryId = '01OTHERINSTALLMAILAAAAAAAA'
    await runs.add(JOBS.runFlow, { runId }, { ...JOB_OPTIONS[QUEUES.flowRuns], jobId: runId })
    await mail.add(JOBS.sendMail, { deliveryId }, { ...JOB_OPTIONS[QUEUES.mailOut], jobId: deliveryId })

    for (const [queue, id] of [[runs, runId], [mail, deliveryId]] as const) {
      const job = await eventually(
        async () => {
          const found = await queue.getJob(id)
          return found && (await found.getState()) === 'failed' ? found : undefined
        },
        { what: `job ${id} failing` },
      )
      expect(job.attemptsMade).toBe(1)
      expect(job.failedReason.startsWith(`${UNKNOWN_WORK_REASON}: the API has no`)).toBe(true)
    }
    const warned = system.workers[0]?.lines.filter((line) => line.msg === 'job of work this install does not know: failed without retry, left to its owner') ?? []
    expect(warned.map((line) => [line.level, line.jobId])).toEqual(expect.arrayContaining([[40, runId], [40, deliveryId]]))
    expect(system.workers[0]?.lines.some((line) => line.msg === 'job failed')).toBe(false)
  })

  it('leaves this install working', async () => {
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    const flow = await system.publishFlow(referenceFlow())
    expect((await system.waitForRun(await system.triggerRun(flow.id))).status).toBe('succeeded')
  })
})
