import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E, closeDb, eventually, referenceFlow, startSystem, type System } from './harness.ts'

// Round-2 contract, item 1: a dry run executes in a real worker, records what
// it would do, and creates nothing — no customer, conversation, message or mail.

interface DryRunView {
  id: string
  status: string
  dryRun: boolean
  version: number | null
  conversationId: string | null
  steps: { nodeId: string; result: string | null }[]
  effects: { type: string; nodeId: string; agentIds?: string[]; recipients?: { address: string }[] }[]
}

/** How many rows the API stored in each table, read from its SQLite file. */
function counts(s: System): Record<string, number> {
  const db = s.openDb()
  try {
    const count = (table: string) => db.$client.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? -1
    return { customers: count('customers'), conversations: count('conversations'), messages: count('messages'), deliveries: count('deliveries') }
  } finally {
    closeDb(db)
  }
}

describe('dry runs, end to end', () => {
  let system: System
  beforeAll(async () => {
    system = await startSystem()
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    expect((await system.request('PUT', '/settings/offline-email', { senderMode: 'team', teamAddress: E2E.teamAddress })).status).toBe(200)
  })
  afterAll(async () => {
    await system.stop()
  })

  async function dryRun(flowId: string, body: Record<string, unknown>): Promise<DryRunView> {
    const input = { customer: { name: 'Jane Customer', email: 'jane@customer.test' }, message: { subject: 'Help', content: 'Where is my parcel?' } }
    const started = await system.request<{ id: string; dryRun: boolean }>('POST', `/flows/${flowId}/runs`, { input, dryRun: true, ...body })
    expect(started.status).toBe(202)
    expect(started.body.dryRun).toBe(true)
    await system.waitForRun(started.body.id)
    return (await system.request<DryRunView>('GET', `/runs/${started.body.id}`)).body
  }

  it('runs the active version in a worker and records its steps and would-be effects, creating nothing', async () => {
    const flow = await system.publishFlow(referenceFlow())
    const run = await dryRun(flow.id, {})
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true, version: 1, conversationId: null })
    expect(run.steps.map((step) => [step.nodeId, step.result])).toEqual([
      ['start', 'SUCCESS'],
      ['customer', 'SUCCESS'],
      ['check', 'FALSE'],
      ['assign', 'SUCCESS'],
      ['convert', 'SUCCESS'],
      ['end', null],
    ])
    expect(run.effects.map((effect) => effect.type)).toEqual(['assign_agents', 'deliver_message'])
    expect(run.effects[1]?.recipients?.map((recipient) => recipient.address)).toEqual(['ann@agents.test'])
    expect(counts(system)).toEqual({ customers: 0, conversations: 0, messages: 0, deliveries: 0 })
    // The worker's mail queue got nothing either: no delivery means no job, and the Mailgun server saw nothing.
    expect(await system.mailgun.messages()).toEqual([])
  })

  it('runs a draft that was never published', async () => {
    const created = await system.request<{ id: string }>('POST', '/flows', { name: 'Draft only', channel: 'email', trigger: 'manual' })
    const draft = referenceFlow()
    draft.nodes = draft.nodes.map((node) => (node.id === 'check' ? { ...node, config: { expression: "var_content.contains('parcel')" } } : node))
    const run = await dryRun(created.body.id, { definition: draft })
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true, version: null })
    expect(run.steps.find((step) => step.nodeId === 'check')?.result).toBe('SUCCESS')
    expect(run.effects.map((effect) => effect.type)).toEqual(['deliver_message'])
    expect(counts(system)).toEqual({ customers: 0, conversations: 0, messages: 0, deliveries: 0 })
    const versions = await system.request<{ items: unknown[] }>('GET', `/flows/${created.body.id}/versions`)
    expect(versions.body.items).toEqual([])
  })

  it('still lets a real run of the same flow mail the agent afterwards', async () => {
    const flow = await system.publishFlow(referenceFlow())
    const run = await system.waitForRun(await system.triggerRun(flow.id))
    expect(run.status).toBe('succeeded')
    await eventually(async () => ((await system.mailgun.messages()).length === 1 ? true : undefined), { what: 'the real run’s mail' })
    expect(counts(system)).toMatchObject({ conversations: 1, messages: 1, deliveries: 1 })
  })
})
