import { conversations, customers, deliveries, messages } from '@replyflow/db'
import { runFlow, type FlowDefinition, type RunContext } from '@replyflow/flow'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createAgent, createPublishedFlow, referenceFlow, startRun, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

interface Claimed {
  runId: string
  versionId: string | null
  dryRun: boolean
  definition: FlowDefinition | null
  context: RunContext
}

const input = { customer: { name: 'Ada', email: 'ada@customer.example.com' }, message: { subject: 'My order', content: 'I would like a refund' } }
const getRun = async (id: string) => (await t.request({ method: 'GET', url: `/api/v1/runs/${id}` })).json()
const dryRun = (flowId: string, body: Record<string, unknown> = {}) => t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload: { input, dryRun: true, ...body } })
const rows = () => ({
  customers: t.db.select().from(customers).all().length,
  conversations: t.db.select().from(conversations).all().length,
  messages: t.db.select().from(messages).all().length,
  deliveries: t.db.select().from(deliveries).all().length,
})

/** Plays a worker: claims the run, executes what the claim carries, reports it. */
async function execute(runId: string): Promise<Claimed> {
  const claim = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [runId] }, as: null, headers: t.workerHeaders })
  const [claimed] = claim.json<{ items: Claimed[] }>().items
  if (!claimed?.definition) throw new Error('run not claimed with a definition')
  const { variables: _variables, ...outcome } = runFlow(claimed.definition, claimed.context, { now: () => t.clock.now })
  const report = await t.request({ method: 'POST', url: '/internal/v1/runs/report', payload: { reports: [{ runId, ...outcome }] }, as: null, headers: t.workerHeaders })
  expect(report.statusCode).toBe(200)
  return claimed
}

describe('dry runs', () => {
  it('run the active version, store nothing but the run, and record the effects they would have applied', async () => {
    const grace = await createAgent(t, 'Grace', 'grace@team.example.com')
    const { flowId, version } = await createPublishedFlow(t)
    const res = await dryRun(flowId, { input: { ...input, message: { content: 'just saying hello' } } })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ id: expect.any(String), status: 'queued', dryRun: true })
    const { id } = res.json()
    expect(await t.queues.runs.getJob(id)).toMatchObject({ data: { runId: id } })

    const claimed = await execute(id)
    expect(claimed).toMatchObject({ versionId: version.id, dryRun: true })
    expect(claimed.context.customer).toMatchObject({ id: null, name: 'Ada', email: 'ada@customer.example.com' })
    const run = await getRun(id)
    expect(run).toMatchObject({ dryRun: true, status: 'succeeded', version: 1, versionId: version.id, conversationId: null, messageId: null, definition: null })
    expect(run.steps.map((step: { nodeId: string }) => step.nodeId)).toEqual(['start', 'customer', 'check', 'assign', 'convert', 'end'])
    expect(run.effects).toEqual([
      { type: 'assign_agents', nodeId: 'assign', agentIds: [grace.id] },
      expect.objectContaining({ type: 'deliver_message', nodeId: 'convert', recipients: [expect.objectContaining({ agentId: grace.id })] }),
    ])
    expect(rows()).toEqual({ customers: 0, conversations: 0, messages: 0, deliveries: 0 })
    expect(await t.queues.mail.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0 })
  })

  it('read an existing customer named in the input without changing them', async () => {
    const { flowId } = await createPublishedFlow(t)
    await startRun(t, flowId)
    const before = rows()
    const res = await dryRun(flowId, { input: { customer: { email: 'ADA@customer.example.com', custom: { plan: 'gold' } }, message: { content: 'hi' } } })
    const claimed = await execute(res.json().id)
    expect(claimed.context.customer).toMatchObject({ id: expect.any(String), name: 'Ada', custom: { plan: 'gold' } })
    expect(rows()).toEqual(before)
    expect(t.db.select().from(customers).all()[0]?.custom).toEqual({})
  })

  it('run a draft definition instead of the active version, even before the first publish', async () => {
    await createAgent(t, 'Grace', 'grace@team.example.com')
    const created = await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'Draft', channel: 'email', trigger: 'manual' } })
    const flowId = created.json().id
    const draft = referenceFlow()
    draft.nodes = draft.nodes.map((node) => (node.id === 'check' ? { ...node, config: { expression: 'true' } } : node))
    const res = await dryRun(flowId, { definition: draft })
    expect(res.statusCode).toBe(202)
    const claimed = await execute(res.json().id)
    expect(claimed).toMatchObject({ versionId: null, dryRun: true, definition: draft })
    const run = await getRun(res.json().id)
    expect(run).toMatchObject({ version: null, versionId: null, dryRun: true, status: 'succeeded' })
    // `true` goes straight to conversion: nobody is assigned.
    expect(run.effects.map((effect: { type: string }) => effect.type)).toEqual(['deliver_message'])
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/versions` })).json().items).toEqual([])
    // The draft changes on; the run still shows the one it tested, so its steps name those nodes.
    const later = { ...draft, nodes: draft.nodes.map((node) => (node.id === 'check' ? { ...node, label: 'Renamed later' } : node)) }
    expect((await t.request({ method: 'PUT', url: `/api/v1/flows/${flowId}/draft`, payload: { definition: later } })).statusCode).toBe(200)
    expect((await getRun(run.id)).definition).toEqual(draft)
    const listed = (await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs` })).json().items
    expect(listed).toEqual([expect.objectContaining({ id: run.id, dryRun: true, version: null })])
  })

  it('refuse an invalid draft with 422 invalid_flow and every issue, storing no run', async () => {
    const { flowId } = await createPublishedFlow(t)
    const broken = referenceFlow()
    broken.edges = broken.edges.filter((edge) => edge.id !== 'e6')
    const res = await dryRun(flowId, { definition: broken })
    expect(res.statusCode).toBe(422)
    expect(res.json().error).toMatchObject({ code: 'invalid_flow', details: expect.arrayContaining([expect.objectContaining({ nodeId: 'convert' })]) })
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs` })).json().items).toEqual([])
  })

  it('refuse a definition without dryRun: true (400), and a dry run of an unpublished flow without one (409)', async () => {
    const { flowId } = await createPublishedFlow(t)
    for (const body of [{ input, definition: referenceFlow() }, { input, dryRun: false, definition: referenceFlow() }]) {
      const res = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload: body })
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toMatchObject({ code: 'API_VALIDATION', details: [expect.objectContaining({ path: 'body/definition' })] })
    }
    const unpublished = (await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'New', channel: 'email', trigger: 'manual' } })).json()
    const res = await dryRun(unpublished.id)
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('API_FLOW_NOT_PUBLISHED')
  })

  it('retry dry: a failed dry run of a draft retries as a dry run of the same draft', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'Draft', channel: 'email', trigger: 'manual' } })
    const flowId = created.json().id
    // No agents: Message conversion has nobody to deliver to, and the run fails.
    const res = await dryRun(flowId, { definition: referenceFlow() })
    await execute(res.json().id)
    expect((await getRun(res.json().id)).status).toBe('failed')
    const retry = await t.request({ method: 'POST', url: `/api/v1/runs/${res.json().id}/retry`, payload: {} })
    expect(retry.statusCode).toBe(202)
    expect(retry.json()).toMatchObject({ dryRun: true })
    expect(await getRun(retry.json().id)).toMatchObject({ dryRun: true, versionId: null, retryOf: res.json().id })
    const claimed = await execute(retry.json().id)
    expect(claimed.definition).toEqual(referenceFlow())
  })

  it('tell real runs apart: dryRun false, their effects applied and listed', async () => {
    const grace = await createAgent(t, 'Grace', 'grace@team.example.com')
    const { flowId } = await createPublishedFlow(t)
    const id = await startRun(t, flowId, 'hello')
    await execute(id)
    const run = await getRun(id)
    expect(run).toMatchObject({ dryRun: false, status: 'succeeded' })
    expect(run.effects).toEqual([expect.objectContaining({ type: 'assign_agents', agentIds: [grace.id] }), expect.objectContaining({ type: 'deliver_message' })])
    const conversation = (await t.request({ method: 'GET', url: `/api/v1/conversations/${run.conversationId}` })).json()
    expect(conversation.assignees).toEqual([grace.id])
    expect(rows().deliveries).toBe(1)
  })
})

describe('GET runs', () => {
  it("lists every flow's runs newest first, with flow name, trigger, dryRun and customer, filtered and paged", async () => {
    const first = await createPublishedFlow(t, { name: 'First' })
    const second = await createPublishedFlow(t, { name: 'Second' })
    const a = await startRun(t, first.flowId)
    t.clock.now += 1_000
    const b = (await dryRun(second.flowId)).json().id
    t.clock.now += 1_000
    const c = await startRun(t, second.flowId)

    const all = await t.request({ method: 'GET', url: '/api/v1/runs' })
    expect(all.statusCode).toBe(200)
    const items = all.json().items
    expect(items.map((run: { id: string }) => run.id)).toEqual([c, b, a])
    expect(items[0]).toMatchObject({ flowId: second.flowId, flowName: 'Second', trigger: 'manual', dryRun: false, conversationId: expect.any(String) })
    expect(items[0].customer).toEqual({ id: expect.any(String), name: 'Ada', email: 'ada@customer.example.com' })
    expect(items[1]).toMatchObject({ id: b, dryRun: true, conversationId: null, customer: null })

    const page1 = (await t.request({ method: 'GET', url: '/api/v1/runs?limit=2' })).json()
    expect(page1.items.map((run: { id: string }) => run.id)).toEqual([c, b])
    const page2 = (await t.request({ method: 'GET', url: `/api/v1/runs?limit=2&cursor=${page1.nextCursor}` })).json()
    expect(page2).toEqual({ items: [expect.objectContaining({ id: a, flowName: 'First' })], nextCursor: null })
    const ofFirst = (await t.request({ method: 'GET', url: `/api/v1/runs?flowId=${first.flowId}` })).json().items
    expect(ofFirst.map((run: { id: string }) => run.id)).toEqual([a])
    const failed = (await t.request({ method: 'GET', url: '/api/v1/runs?status=failed' })).json().items
    expect(failed).toEqual([])
    expect((await t.request({ method: 'GET', url: '/api/v1/runs?status=sometimes' })).statusCode).toBe(400)
    const agent = await t.createUser('agent')
    expect((await t.request({ method: 'GET', url: '/api/v1/runs', as: agent })).statusCode).toBe(403)
  })
})
