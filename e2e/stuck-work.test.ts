import { QUEUES } from '@replyflow/queue'
import { Queue } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { E2E, eventually, referenceFlow, startSystem, type System } from './harness.ts'
import { postInboundMail } from './webhooks.ts'

// "A run recorded is eventually executed", also after a worker claimed it and
// vanished together with its job: the API's lease recovery hands such runs
// (and deliveries stuck `sending`) to the queue again.

describe('claimed work whose worker and job vanished', () => {
  let system: System | undefined
  const queues: Queue[] = []
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.close()
    await system?.stop()
    system = undefined
  })

  /** Claims work as a worker would, then "loses" the worker and its job: the claim stays, the job is removed. */
  async function claimAndVanish(s: System, queueName: string, path: string, body: Record<string, string[]>, id: string): Promise<string> {
    const queue = new Queue(queueName, { connection: { url: s.redisUrl }, prefix: s.prefix })
    queues.push(queue)
    await eventually(async () => ((await queue.getJob(id)) ? true : undefined), { what: `the job of ${id}` })
    const claim = await fetch(`${s.apiUrl}/internal/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const [claimed] = ((await claim.json()) as { items: { status: string }[] }).items
    await queue.remove(id)
    return claimed?.status ?? 'none'
  }

  it('executes a claimed run and sends a claimed answer once a worker is back, although their jobs were removed', async () => {
    system = await startSystem({ workers: 0, apiEnv: { WORK_LEASE_MS: '1000' } })
    const ann = await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    expect((await system.request('PUT', '/settings/offline-email', { senderMode: 'team', teamAddress: E2E.teamAddress })).status).toBe(200)
    const flow = await system.publishFlow(referenceFlow())

    const runId = await system.triggerRun(flow.id)
    expect(await claimAndVanish(system, QUEUES.flowRuns, '/runs/claim', { runIds: [runId] }, runId)).toBe('running')

    // A customer wrote; Ann answered from the inbox; a worker claimed the answer's delivery and vanished.
    expect((await postInboundMail(system, { from: 'Jane Doe <jane@customer.test>', to: E2E.teamAddress, subject: 'Parcel', text: 'Where is it?' })).status).toBe(200)
    const conversation = (await system.request<{ items: { id: string }[] }>('GET', '/conversations')).body.items[0]
    const answer = await system.request<{ id: string; delivery: { id: string } }>('POST', `/conversations/${conversation?.id}/messages`, { content: 'It left today.', agentId: ann.id })
    expect(answer.status).toBe(201)
    expect(await claimAndVanish(system, QUEUES.mailOut, '/deliveries/claim', { deliveryIds: [answer.body.delivery.id] }, answer.body.delivery.id)).toBe('sending')

    await system.addWorker()
    const run = await system.waitForRun(runId)
    expect(run.status).toBe('succeeded')
    const [mail] = await system.mailgun.waitForMessages(1, { where: (m) => m.to.some((to) => to.includes('jane@customer.test')) })
    expect(mail?.text).toBe('It left today.')
    const delivered = await eventually(
      async () => {
        const messages = await system?.request<{ items: { id: string; delivery: { status: string } | null }[] }>('GET', `/conversations/${conversation?.id}/messages`)
        const status = messages?.body.items.find((m) => m.id === answer.body.id)?.delivery?.status
        return status === 'sent' || status === 'delivered' ? status : undefined
      },
      { what: 'the answer marked sent' },
    )
    expect(delivered).toBeTruthy()
  })
})
