import { runFlow, type RunContext, type FlowDefinition } from '@replyflow/flow'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createAgent, createPublishedFlow, referenceFlow, startRun, WORKER_TOKEN, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

const getRun = async (id: string) => (await t.request({ method: 'GET', url: `/api/v1/runs/${id}` })).json()

interface Claimed {
  runId: string
  status: string
  definition: FlowDefinition | null
  context: RunContext
  resume: { nodeId: string; variables: Record<string, unknown> } | null
}

/** Plays a worker: claims the run, executes it with the engine and reports it. */
async function execute(runId: string, definition: FlowDefinition = referenceFlow()) {
  const claim = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [runId] }, as: null, headers: t.workerHeaders })
  const [claimed] = claim.json<{ items: Claimed[] }>().items
  if (!claimed) throw new Error('run not claimed')
  const outcome = runFlow(claimed.definition ?? definition, claimed.context, { now: () => t.clock.now, resume: claimed.resume ?? undefined })
  const { variables: _variables, ...report } = outcome
  const res = await t.request({
    method: 'POST',
    url: '/internal/v1/runs/report',
    payload: { reports: [{ runId, ...report }] },
    as: null,
    headers: { authorization: `Bearer ${WORKER_TOKEN}` },
  })
  expect(res.statusCode).toBe(200)
  return { claimed, outcome }
}

describe('POST flows/:id/runs', () => {
  it('answers 202 with a queued run, stored with its message and handed to the queue', async () => {
    const { flowId, version } = await createPublishedFlow(t)
    const res = await t.request({
      method: 'POST',
      url: `/api/v1/flows/${flowId}/runs`,
      payload: { input: { customer: { name: 'Ada', email: 'Ada@Customer.example.com', custom: { plan: 'gold' } }, message: { subject: 'Hi', content: 'refund please' } } },
    })
    expect(res.statusCode).toBe(202)
    const { id, status } = res.json()
    expect(status).toBe('queued')
    expect(await t.queues.runs.getJob(id)).toMatchObject({ id, name: 'run-flow', data: { runId: id } })

    const run = await getRun(id)
    expect(run).toMatchObject({ id, flowId, versionId: version.id, version: 1, status: 'queued', trigger: 'manual', attempt: 1, retryOf: null, steps: [] })
    expect(run.enqueuedAt).not.toBeNull()
    const messages = (await t.request({ method: 'GET', url: `/api/v1/conversations/${run.conversationId}/messages` })).json().items
    expect(messages).toEqual([expect.objectContaining({ id: run.messageId, direction: 'in', content: 'refund please', subject: 'Hi' })])
    const customers = (await t.request({ method: 'GET', url: '/api/v1/customers' })).json().items
    expect(customers).toEqual([expect.objectContaining({ name: 'Ada', email: 'ada@customer.example.com', custom: { plan: 'gold' } })])
  })

  it('keeps the run queued, unenqueued, when Redis is unreachable', async () => {
    const offline = await buildTestApp({}, { producerRedisUrl: 'redis://127.0.0.1:1' })
    try {
      const { flowId } = await createPublishedFlow(offline)
      const id = await startRun(offline, flowId)
      const run = (await offline.request({ method: 'GET', url: `/api/v1/runs/${id}` })).json()
      expect(run).toMatchObject({ status: 'queued', enqueuedAt: null })
      const ready = await offline.request({ method: 'GET', url: '/readyz', as: null })
      expect(ready.statusCode).toBe(503)
      expect(ready.json()).toEqual({ status: 'unavailable', checks: { database: true, redis: false } })
    } finally {
      await offline.close()
    }
  })

  it('returns the same run for the same Idempotency-Key and body', async () => {
    const { flowId } = await createPublishedFlow(t)
    const key = { 'idempotency-key': 'order-42' }
    const first = await startRun(t, flowId, 'hello', key)
    const second = await startRun(t, flowId, 'hello', key)
    expect(second).toBe(first)
    const list = (await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs` })).json()
    expect(list.items).toHaveLength(1)
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations' })).json().items).toHaveLength(1)
  })

  it('refuses the same Idempotency-Key with another body with 422, starting nothing', async () => {
    const { flowId } = await createPublishedFlow(t)
    await startRun(t, flowId, 'hello', { 'idempotency-key': 'k1' })
    const res = await t.request({
      method: 'POST',
      url: `/api/v1/flows/${flowId}/runs`,
      payload: { input: { customer: {}, message: { content: 'something else' } } },
      headers: { 'idempotency-key': 'k1' },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('API_IDEMPOTENCY_KEY_REUSED')
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs` })).json().items).toHaveLength(1)
  })

  it('answers 409 for a flow never published, 404 for no flow, 400 for a bad input, 422 for an unknown customer id', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'Draft only', channel: 'email', trigger: 'manual' } })
    const draftOnly = created.json().id
    const payload = { input: { customer: {}, message: { content: 'x' } } }
    const unpublished = await t.request({ method: 'POST', url: `/api/v1/flows/${draftOnly}/runs`, payload })
    expect(unpublished.statusCode).toBe(409)
    expect(unpublished.json().error.code).toBe('API_FLOW_NOT_PUBLISHED')
    expect((await t.request({ method: 'POST', url: '/api/v1/flows/NOPE/runs', payload })).statusCode).toBe(404)
    const { flowId } = await createPublishedFlow(t)
    const bad = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload: { input: { customer: {} } } })
    expect(bad.statusCode).toBe(400)
    const unknown = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload: { input: { customer: { id: 'NOPE' }, message: { content: 'x' } } } })
    expect(unknown.statusCode).toBe(422)
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations' })).json().items).toEqual([])
  })

  it('runs a disabled flow only dry: a real run answers 409 and stores nothing', async () => {
    const { flowId } = await createPublishedFlow(t)
    expect((await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/disable`, payload: {} })).statusCode).toBe(200)
    const payload = { input: { customer: { name: 'Ada', email: 'ada@customer.example.com' }, message: { content: 'refund please' } } }
    const real = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload })
    expect(real.statusCode).toBe(409)
    expect(real.json().error).toMatchObject({ code: 'API_FLOW_DISABLED', message: expect.stringContaining('dry run') })
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs` })).json().items).toEqual([])
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations' })).json().items).toEqual([])
    const dry = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload: { ...payload, dryRun: true } })
    expect(dry.statusCode).toBe(202)
  })
})

describe('GET flows/:id/runs', () => {
  it('lists runs newest first, filters by status and pages with a cursor', async () => {
    await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      ids.push(await startRun(t, flowId, `message ${i}`))
      t.clock.now += 1000
    }
    await execute(ids[0]!)

    const first = (await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs?limit=2` })).json()
    expect(first.items.map((run: { id: string }) => run.id)).toEqual([ids[2], ids[1]])
    expect(first.nextCursor).toBe(ids[1])
    const second = (await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs?limit=2&cursor=${first.nextCursor}` })).json()
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0], status: 'succeeded' })], nextCursor: null })
    // A cursor this API never gave out is refused, as the conversations' are (it listed every run).
    for (const url of [`/api/v1/flows/${flowId}/runs?cursor=garbage`, '/api/v1/runs?cursor=garbage']) {
      const bad = await t.request({ method: 'GET', url })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error.code).toBe('API_BAD_CURSOR')
    }

    const queued = (await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs?status=queued` })).json()
    expect(queued.items.map((run: { id: string }) => run.id)).toEqual([ids[2], ids[1]])
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flowId}/runs?status=lost` })).statusCode).toBe(400)
    expect((await t.request({ method: 'GET', url: '/api/v1/flows/NOPE/runs' })).statusCode).toBe(404)
  })
})

describe('GET runs/:id', () => {
  it('shows an executed run with every step', async () => {
    await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const id = await startRun(t, flowId, 'please refund me')
    await execute(id)
    const run = await getRun(id)
    expect(run.status).toBe('succeeded')
    expect(run.steps.map((step: { nodeId: string; result: string | null }) => [step.nodeId, step.result])).toEqual([
      ['start', 'SUCCESS'],
      ['customer', 'SUCCESS'],
      ['check', 'SUCCESS'],
      ['convert', 'SUCCESS'],
      ['end', null],
    ])
    expect(run.steps[1]).toMatchObject({ type: 'get_customer_data', outputs: { var_content: 'please refund me' }, error: null })
    expect(run.finishedAt).not.toBeNull()
    expect((await t.request({ method: 'GET', url: '/api/v1/runs/NOPE' })).statusCode).toBe(404)
  })
})

describe('POST runs/:id/retry', () => {
  it('retries from the failed step with the variables gathered so far', async () => {
    // No agent yet: Assign all agents fails on the FALSE branch.
    const { flowId } = await createPublishedFlow(t)
    const id = await startRun(t, flowId, 'just saying hi')
    await execute(id)
    const failed = await getRun(id)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ code: 'RUN_NO_AGENTS', nodeId: 'assign' })

    await createAgent(t, 'Grace')
    const res = await t.request({ method: 'POST', url: `/api/v1/runs/${id}/retry`, payload: {} })
    expect(res.statusCode).toBe(202)
    const retry = await getRun(res.json().id)
    expect(retry).toMatchObject({ status: 'queued', attempt: 2, retryOf: id, versionId: failed.versionId, conversationId: failed.conversationId })
    expect(retry.resume).toEqual({ nodeId: 'assign', variables: { var_content: 'just saying hi' } })
    expect(await t.queues.runs.getJob(retry.id)).toBeDefined()

    const { claimed } = await execute(retry.id)
    expect(claimed.resume).toEqual(retry.resume)
    const done = await getRun(retry.id)
    expect(done.status).toBe('succeeded')
    expect(done.steps.map((step: { nodeId: string }) => step.nodeId)).toEqual(['assign', 'convert', 'end'])
  })

  it('retries from the start on the active version', async () => {
    const { flowId } = await createPublishedFlow(t)
    const id = await startRun(t, flowId, 'hi')
    await execute(id)
    const changed = referenceFlow()
    changed.nodes[0]!.position = { x: 40, y: 40 }
    const v2 = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/versions`, payload: { definition: changed } })
    const res = await t.request({ method: 'POST', url: `/api/v1/runs/${id}/retry`, payload: { fromStart: true } })
    expect(res.statusCode).toBe(202)
    const retry = await getRun(res.json().id)
    expect(retry).toMatchObject({ versionId: v2.json().id, version: 2, resume: null, attempt: 2, retryOf: id })
  })

  it('refuses to retry a run that did not fail with 409', async () => {
    const { flowId } = await createPublishedFlow(t)
    const id = await startRun(t, flowId)
    const res = await t.request({ method: 'POST', url: `/api/v1/runs/${id}/retry`, payload: {} })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('API_RUN_NOT_FAILED')
    expect((await t.request({ method: 'POST', url: '/api/v1/runs/NOPE/retry', payload: {} })).statusCode).toBe(404)
    expect((await t.request({ method: 'POST', url: `/api/v1/runs/${id}/retry`, payload: { from: 'start' } })).statusCode).toBe(400)
  })
})
