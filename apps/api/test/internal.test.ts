import { runFlow, type FlowDefinition, type RunContext } from '@replyflow/flow'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createAgent, createPublishedFlow, startRun, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

interface Claimed {
  runId: string
  flowId: string
  versionId: string
  status: string
  definition: FlowDefinition | null
  context: RunContext
  resume: { nodeId: string; variables: Record<string, unknown> } | null
}

const worker = (url: string, payload: Record<string, unknown>) => t.request({ method: 'POST', url: `/internal/v1/${url}`, payload, as: null, headers: t.workerHeaders })

const claim = async (runIds: string[], knownVersionIds?: string[]) => {
  const res = await worker('runs/claim', { runIds, knownVersionIds })
  expect(res.statusCode).toBe(200)
  return res.json<{ items: Claimed[] }>().items
}

/** Claims a run and executes it with the engine, as a worker does; returns the report it would send. */
async function execute(runId: string) {
  const [claimed] = await claim([runId])
  if (!claimed?.definition) throw new Error('no definition')
  const { variables: _variables, ...outcome } = runFlow(claimed.definition, claimed.context, { now: () => t.clock.now })
  return { claimed, report: { runId, ...outcome } }
}

const getRun = async (id: string) => (await t.request({ method: 'GET', url: `/api/v1/runs/${id}` })).json()
const getConversation = async (id: string) => (await t.request({ method: 'GET', url: `/api/v1/conversations/${id}` })).json()

describe('worker authentication', () => {
  it('refuses calls without the worker token, with a wrong one, or with a user session', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, t.admin.headers]) {
      const res = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [] }, as: null, headers })
      expect(res.statusCode).toBe(401)
      expect(res.json().error.code).toBe('API_UNAUTHORIZED')
    }
  })

  it('refuses every call when WORKER_TOKEN is not configured', async () => {
    const bare = await buildTestApp({ WORKER_TOKEN: '' })
    try {
      const res = await bare.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [] }, as: null, headers: bare.workerHeaders })
      expect(res.statusCode).toBe(401)
    } finally {
      await bare.close()
    }
  })
})

describe('runs/claim', () => {
  it('moves queued runs to running with a snapshot of customer, message, conversation and agents', async () => {
    const grace = await createAgent(t, 'Grace', 'grace@team.example.com', { status: 'online' })
    const { flowId, version } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId, 'refund please')
    const [claimed] = await claim([runId, 'UNKNOWN'])
    const run = await getRun(runId)
    expect(claimed).toMatchObject({ runId, flowId, versionId: version.id, status: 'running', resume: null })
    expect(claimed?.definition?.nodes.map((node) => node.id)).toContain('convert')
    expect(claimed?.context).toEqual({
      customer: { id: expect.any(String), name: 'Ada', email: 'ada@customer.example.com', phone: null, custom: {} },
      message: { id: run.messageId, subject: 'My order', content: 'refund please', channel: 'email' },
      conversation: { id: run.conversationId, assignees: [] },
      agents: [{ id: grace.id, name: 'Grace', email: 'grace@team.example.com', phone: null, online: true }],
    })
    expect(run).toMatchObject({ status: 'running' })
    expect(run.startedAt).not.toBeNull()
  })

  it('leaves out definitions the worker already caches, and keeps the first snapshot on a second claim', async () => {
    await createAgent(t, 'Grace')
    const { flowId, version } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const [first] = await claim([runId])
    await createAgent(t, 'Linus')
    const [again] = await claim([runId], [version.id])
    expect(again).toMatchObject({ status: 'running', definition: null })
    expect(again?.context).toEqual(first?.context)
  })

  it('hands a finished run back with its status and no definition, so the worker skips it', async () => {
    await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const { report } = await execute(runId)
    await worker('runs/report', { reports: [report] })
    const [claimed] = await claim([runId])
    expect(claimed).toMatchObject({ runId, status: 'succeeded', definition: null })
  })
})

describe('runs/report', () => {
  it('stores steps, assigns, creates one composed delivery per recipient and enqueues it', async () => {
    const grace = await createAgent(t, 'Grace')
    const linus = await createAgent(t, 'Linus')
    await t.request({ method: 'PUT', url: '/api/v1/settings/offline-email', payload: { senderMode: 'team', teamAddress: 'support@acme.example.com' } })
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId, 'just a question')
    const { report } = await execute(runId)
    expect(report.effects.map((effect) => effect.type)).toEqual(['assign_agents', 'deliver_message'])

    const res = await worker('runs/report', { reports: [report] })
    expect(res.json()).toEqual({ items: [{ runId, status: 'succeeded' }] })
    const run = await getRun(runId)
    expect(run.steps.map((step: { nodeId: string }) => step.nodeId)).toEqual(['start', 'customer', 'check', 'assign', 'convert', 'end'])
    expect((await getConversation(run.conversationId)).assignees).toEqual([grace.id, linus.id])

    const mailJobs = await t.queues.mail.getJobs(['waiting', 'delayed', 'active', 'prioritized'])
    expect(mailJobs).toHaveLength(2)
    const claimed = await worker('deliveries/claim', { deliveryIds: mailJobs.map((job) => job.data.deliveryId) })
    const deliveries = claimed.json().items
    expect(deliveries.map((d: { mail: { to: string[] } }) => d.mail.to[0]).sort()).toEqual(['"Grace" <grace@team.example.com>', '"Linus" <linus@team.example.com>'])
    for (const delivery of deliveries) {
      expect(delivery.status).toBe('sending')
      expect(delivery.mail.from).toContain('support@acme.example.com')
      expect(delivery.mail.subject).toBe('My order')
      expect(delivery.mail.text).toContain('just a question')
      expect(delivery.mail.headers['Message-Id']).toMatch(/^<rf\..+@dev\.replyflow\.local>$/)
      expect(delivery.mail.headers['Reply-To']).toMatch(/^reply\+/)
    }
  })

  it('is idempotent: a second report of the same run changes nothing and mails nobody twice', async () => {
    await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const { report } = await execute(runId)
    await worker('runs/report', { reports: [report] })
    const again = await worker('runs/report', { reports: [report, { ...report, status: 'failed', error: { code: 'X', message: 'late' } }] })
    expect(again.json().items).toEqual([
      { runId, status: 'succeeded' },
      { runId, status: 'succeeded' },
    ])
    const run = await getRun(runId)
    expect(run.steps).toHaveLength(report.steps.length)
    expect(await t.queues.mail.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized')).toBe(1)
  })

  it('applies the effects once when one call carries the same report twice', async () => {
    await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const { report } = await execute(runId)
    // Two reports in one call: the first finishes the run, the second is a no-op.
    const res = await worker('runs/report', { reports: [report, report] })
    expect(res.statusCode).toBe(200)
    expect(await t.queues.mail.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized')).toBe(1)
  })

  it('writes nothing of a report whose second effect breaks a constraint', async () => {
    const grace = await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const { report } = await execute(runId)
    const broken = {
      ...report,
      effects: [
        { type: 'assign_agents', nodeId: 'assign', agentIds: [grace.id] },
        { type: 'assign_agents', nodeId: 'assign-2', agentIds: ['NO-SUCH-AGENT'] },
      ],
    }
    const res = await worker('runs/report', { reports: [broken] })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('API_REPORT_REJECTED')

    const run = await getRun(runId)
    expect(run).toMatchObject({ status: 'running', steps: [], finishedAt: null })
    expect((await getConversation(run.conversationId)).assignees).toEqual([])

    // The first effect was rolled back too, so the corrected report applies it now.
    const fixed = await worker('runs/report', { reports: [{ ...broken, effects: [broken.effects[0]] }] })
    expect(fixed.json().items).toEqual([{ runId, status: 'succeeded' }])
    expect((await getConversation(run.conversationId)).assignees).toEqual([grace.id])
  })

  it('refuses a malformed report with 400', async () => {
    const res = await worker('runs/report', { reports: [{ runId: 'X', status: 'done', steps: [], effects: [], error: null }] })
    expect(res.statusCode).toBe(400)
  })

  it('holds back a notification to a suppressed address', async () => {
    await createAgent(t, 'Grace')
    t.db.$client.prepare("INSERT INTO suppressions (address, reason, created_at) VALUES ('grace@team.example.com', 'bounced', '2025-01-01T00:00:00.000Z')").run()
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const { report } = await execute(runId)
    await worker('runs/report', { reports: [report] })
    expect(await t.queues.mail.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized')).toBe(0)
    const row = t.db.$client.prepare<[], { status: string }>('SELECT status FROM deliveries').get()
    expect(row?.status).toBe('suppressed')
  })
})

describe('deliveries', () => {
  it('records a send outcome, and a settled delivery comes back settled', async () => {
    await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const runId = await startRun(t, flowId)
    const { report } = await execute(runId)
    await worker('runs/report', { reports: [report] })
    const [job] = await t.queues.mail.getJobs(['waiting'])
    const deliveryId = job!.data.deliveryId

    await worker('deliveries/claim', { deliveryIds: [deliveryId] })
    const retrying = await worker('deliveries/report', { results: [{ deliveryId, status: 'retrying', error: { code: 'MAIL_PROVIDER_UNAVAILABLE', message: '503', httpStatus: 503 }, attempt: 1 }] })
    expect(retrying.json().items).toEqual([{ deliveryId, status: 'retrying' }])
    const reclaimed = (await worker('deliveries/claim', { deliveryIds: [deliveryId] })).json().items
    expect(reclaimed[0].status).toBe('sending')

    const sent = await worker('deliveries/report', { results: [{ deliveryId, status: 'sent', providerId: '<abc@mailgun>', attempt: 2 }] })
    expect(sent.json().items).toEqual([{ deliveryId, status: 'sent' }])
    const row = t.db.$client.prepare<[string], { status: string; attempts: number; provider_id: string; last_error: string | null }>('SELECT * FROM deliveries WHERE id = ?').get(deliveryId)
    expect(row).toMatchObject({ status: 'sent', attempts: 2, provider_id: '<abc@mailgun>', last_error: null })

    const settled = (await worker('deliveries/claim', { deliveryIds: [deliveryId, 'UNKNOWN'] })).json().items
    expect(settled).toEqual([expect.objectContaining({ deliveryId, status: 'sent' })])
  })
})
