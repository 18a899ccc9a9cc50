import { QUEUES } from '@replyflow/queue'
import { Queue } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { E2E, deliveries, eventually, referenceFlow, startSystem, type System } from './harness.ts'
import { startHoldingProxy, type HoldingProxy, type ReportMode } from './holding-proxy.ts'

// Issue 4, "Done when": runs and mail through real processes on a real Redis.

const agents = [
  { name: 'Ann Agent', email: 'ann@agents.test' },
  { name: 'Bob Agent', email: 'bob@agents.test' },
]

describe('runtime, end to end', () => {
  let system: System | undefined
  let proxy: HoldingProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await system?.stop()
    system = undefined
    proxy = undefined
  })

  async function referenceSetup(s: System): Promise<string> {
    for (const agent of agents) await s.createAgent(agent)
    const settings = await s.request('PUT', '/settings/offline-email', { senderMode: 'team', teamAddress: E2E.teamAddress })
    expect(settings.status).toBe(200)
    return (await s.publishFlow(referenceFlow())).id
  }

  it('completes a run triggered through the API in a worker process and mails every agent', async () => {
    system = await startSystem()
    const flowId = await referenceSetup(system)
    const runId = await system.triggerRun(flowId, { message: { content: 'Where is my parcel?' } })

    const run = await system.waitForRun(runId)
    expect(run.status).toBe('succeeded')
    // "parcel" has no "refund": the logic node answers FALSE, so every agent is assigned.
    expect(run.steps.map((step) => [step.nodeId, step.result])).toEqual([
      ['start', 'SUCCESS'],
      ['customer', 'SUCCESS'],
      ['check', 'FALSE'],
      ['assign', 'SUCCESS'],
      ['convert', 'SUCCESS'],
      ['end', null],
    ])
    const mail = await system.mailgun.waitForMessages(2)
    expect(mail.map((m) => m.to).flat().sort()).toEqual(expect.arrayContaining([expect.stringContaining('ann@agents.test'), expect.stringContaining('bob@agents.test')]))
    for (const message of mail) {
      expect(message.domain).toBe(E2E.mailgun.domain)
      expect(message.text).toContain('Where is my parcel?')
      expect(message.headers['Message-Id']).toBe(message.id)
    }
  })

  it.each<[ReportMode, string]>([
    ['hold', 'before its report reached the API'],
    ['swallow', 'after the API stored its report but before the job completed'],
  ])('completes a run exactly once when its worker is SIGKILLed mid-run (%s: %s)', async (mode) => {
    system = await startSystem({ workers: 0, lockMs: 2_000 })
    const flowId = await referenceSetup(system)
    proxy = await startHoldingProxy(system.apiUrl, mode)
    const doomed = await system.addWorker({ API_URL: proxy.url })
    const runId = await system.triggerRun(flowId)
    await proxy.reportSeen
    // The worker has claimed and executed the run and is inside its report call.
    doomed.child.kill('SIGKILL')
    await doomed.exited

    const rescuer = await system.addWorker()
    const run = await system.waitForRun(runId, 60_000)
    expect(run.status).toBe('succeeded')
    // One execution's steps ("refund" takes the SUCCESS edge past Assign), not two.
    expect(run.steps.map((step) => step.nodeId)).toEqual(['start', 'customer', 'check', 'convert', 'end'])
    const mail = await system.mailgun.waitForMessages(2)
    expect(mail).toHaveLength(2)
    // A mail reaches Mailgun a moment before its worker's "sent" report reaches the database.
    const settled = await eventually(async () => {
      const rows = deliveries(system!)
      return rows.every((d) => d.status !== 'queued' && d.status !== 'sending') ? rows : undefined
    }, { what: 'both deliveries reported' })
    expect(settled.map((d) => d.status)).toEqual(['sent', 'sent'])
    if (mode === 'swallow') {
      // The report had landed: the second worker finds the run finished and does not run it again.
      await rescuer.waitForLine((line) => line.msg === 'run already finished, skipped' && line.runId === runId)
    }
  })

  it('finishes the job in flight on SIGTERM, then exits', async () => {
    system = await startSystem()
    await system.createAgent(agents[0]!)
    const flowId = (await system.publishFlow(referenceFlow())).id
    await system.mailgun.delayNext(1, 3_000)
    const worker = system.workers[0]!
    await system.waitForRun(await system.triggerRun(flowId))
    // The mail job is inside its (slow) send when the worker is told to stop.
    await eventually(async () => ((await system?.mailgun.stats())?.attempts === 1 ? true : undefined), { what: 'the send under way' })
    worker.child.kill('SIGTERM')
    const exit = await worker.exited
    expect(exit.code).toBe(0)
    expect(await system.mailgun.messages()).toHaveLength(1)
    expect(deliveries(system).map((d) => d.status)).toEqual(['sent'])
  })

  it('loses no run while Redis is down: queued runs and runs triggered during the outage complete once it returns', async () => {
    system = await startSystem({ privateRedis: true })
    const flowId = await referenceSetup(system)
    // No worker consumes while the first runs wait in Redis.
    await system.workers[0]?.stop()
    const before = [await system.triggerRun(flowId), await system.triggerRun(flowId)]

    await system.redis?.stop()
    const during = [await system.triggerRun(flowId), await system.triggerRun(flowId)]
    // A worker that starts while Redis is away waits for it instead of failing.
    await system.addWorker()
    await system.redis?.start()

    for (const runId of [...before, ...during]) {
      expect((await system.waitForRun(runId, 60_000)).status).toBe('succeeded')
    }
    await system.mailgun.waitForMessages(8)
  })

  it('delivers a mail on the third try when Mailgun fails twice, recording it once', async () => {
    system = await startSystem()
    await system.createAgent(agents[0]!)
    const flowId = (await system.publishFlow(referenceFlow())).id
    await system.mailgun.failNext(2, 503, 'Service temporarily unavailable')
    expect((await system.waitForRun(await system.triggerRun(flowId))).status).toBe('succeeded')

    const s = system
    const [delivery] = await eventually(async () => {
      const rows = deliveries(s)
      return rows[0]?.status === 'sent' ? rows : undefined
    }, { timeoutMs: 60_000, what: 'the delivery sent' })
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3 })
    expect(await system.mailgun.messages()).toHaveLength(1)
    expect(await system.mailgun.stats()).toMatchObject({ messages: 1, attempts: 3, pendingFailures: 0 })
  })

  it("fails a delivery without retrying when Mailgun answers 4xx, keeping Mailgun's reason", async () => {
    system = await startSystem()
    await system.createAgent(agents[0]!)
    const flowId = (await system.publishFlow(referenceFlow())).id
    const reason = "'to' parameter is not a valid address. please check documentation"
    await system.mailgun.failNext(1, 400, reason)
    expect((await system.waitForRun(await system.triggerRun(flowId))).status).toBe('succeeded')

    const s = system
    const [delivery] = await eventually(async () => {
      const rows = deliveries(s)
      return rows[0]?.status === 'failed' ? rows : undefined
    }, { timeoutMs: 30_000, what: 'the delivery failed' })
    expect(delivery?.attempts).toBe(1)
    expect(JSON.parse(delivery?.last_error ?? '{}')).toMatchObject({ code: 'MAIL_REJECTED', message: reason, httpStatus: 400 })
    // Failed for good, not waiting for a retry: BullMQ moved the job straight to failed.
    const queue = new Queue(QUEUES.mailOut, { connection: { url: system.redisUrl }, prefix: system.prefix })
    try {
      const job = await queue.getJob(delivery?.id ?? '')
      expect(await job?.getState()).toBe('failed')
      expect(job?.attemptsMade).toBe(1)
    } finally {
      await queue.close()
    }
    expect(await system.mailgun.stats()).toMatchObject({ messages: 0, attempts: 1 })
  })
})
