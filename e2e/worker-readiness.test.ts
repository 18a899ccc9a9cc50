import { randomBytes } from 'node:crypto'
import { JOBS, QUEUES } from '@replyflow/queue'
import { Queue } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { deliveries, eventually, referenceFlow, startSystem, type System } from './harness.ts'

// A worker set up unlike its API must say so: not ready on /readyz, and a
// log line that names the setting to change, before it fails anyone's work.

const TOKEN_REFUSED = "the API refused this worker's WORKER_TOKEN: give the worker the same WORKER_TOKEN as the API"
const NO_DEV_MAILBOX =
  "this worker has no MAILGUN_API_KEY, so it sends to the API's dev mailbox, but the API runs with Mailgun: give the worker the same MAILGUN_* settings"

async function readiness(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/readyz`)
  return { status: response.status, body: await response.json() }
}

describe('worker readiness', () => {
  let system: System | undefined
  afterEach(async () => {
    await system?.stop()
    system = undefined
  })

  it("is not ready, and says so once, when the API refuses the worker's token", async () => {
    system = await startSystem()
    expect(await readiness(system.workerUrl(system.workers[0]!))).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: true, api: true } } })

    const stranger = await system.addWorker({ WORKER_TOKEN: randomBytes(24).toString('hex') })
    const url = system.workerUrl(stranger)
    for (let probe = 0; probe < 3; probe++) {
      expect(await readiness(url)).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { api: false } } })
    }
    const line = await stranger.waitForLine((l) => l.msg === TOKEN_REFUSED)
    expect(line.level).toBe(50)
    expect(stranger.lines.filter((l) => l.msg === TOKEN_REFUSED)).toHaveLength(1)
  })

  it('is not ready when it would send to a dev mailbox the API does not have, and keeps the mail, past its last attempt, until a worker can send it', async () => {
    // The API runs with Mailgun (the harness's local server); this worker has no MAILGUN_* settings.
    system = await startSystem({ workers: 0, apiEnv: { WORK_LEASE_MS: '1000' } })
    const devWorker = await system.addWorker({ MAILGUN_API_KEY: '', MAILGUN_DOMAIN: '', MAILGUN_URL: '' })
    const line = await devWorker.waitForLine((l) => l.msg === NO_DEV_MAILBOX)
    expect(line.level).toBe(50)
    expect(await readiness(system.workerUrl(devWorker))).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { api: true, mail: false } } })
    expect(devWorker.lines.filter((l) => l.msg === NO_DEV_MAILBOX)).toHaveLength(1)

    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    const flow = await system.publishFlow(referenceFlow())
    expect((await system.waitForRun(await system.triggerRun(flow.id))).status).toBe('succeeded')
    const s = system
    const [held] = await eventually(async () => {
      const rows = deliveries(s)
      return rows[0] && rows[0].attempts >= 1 && rows[0].status !== 'sending' ? rows : undefined
    }, { what: 'the first send tried' })
    expect(held?.status).toBe('retrying')
    const error = JSON.parse(held?.last_error ?? '{}') as { code: string; message: string }
    expect(error.code).toBe('MAIL_MISCONFIGURED')
    expect(error.message).toContain(NO_DEV_MAILBOX)

    // Its next try is its last (as after ~17 minutes of backoff): the mail still waits, `retrying`, not `failed`.
    const queue = new Queue(QUEUES.mailOut, { connection: { url: system.redisUrl }, prefix: system.prefix })
    try {
      await queue.remove(held!.id)
      await queue.add(JOBS.sendMail, { deliveryId: held!.id }, { jobId: held!.id, attempts: 1 })
      await devWorker.waitForLine((l) => l.msg === 'job failed' && l.deliveryId === held!.id)
    } finally {
      await queue.close()
    }
    expect(deliveries(s)[0]?.status).not.toBe('failed')

    // The operator fixes the setup: a worker with the API's Mailgun settings sends the mail that waited.
    await devWorker.stop()
    await system.addWorker()
    const [mail] = await system.mailgun.waitForMessages(1)
    expect(mail?.to).toEqual([expect.stringContaining('ann@agents.test')])
    await eventually(async () => (deliveries(s)[0]?.status === 'sent' ? true : undefined), { what: 'the delivery sent' })
  })

  it("is ready beside an API that serves the dev mailbox it sends to", async () => {
    system = await startSystem({ devMailbox: true })
    const worker = system.workers[0]!
    const url = system.workerUrl(worker)
    const ready = await eventually(async () => {
      const answer = await readiness(url)
      return answer.status === 200 ? answer : undefined
    }, { what: 'the worker ready' })
    expect(ready.body).toEqual({ status: 'ready', checks: { redis: true, api: true, mail: true } })
    expect(worker.lines.filter((l) => l.msg === NO_DEV_MAILBOX)).toHaveLength(0)
  })
})
