import { describe, expect, it } from 'vitest'
import { fixedClock, loadFixture, sampleContext } from '../fixtures/index.ts'
import type { FlowDefinition } from './definition.ts'
import { runFlow, type RunOutcome } from './engine.ts'

/** The trace without timestamps, one line per step: what a reader checks first. */
const path = (outcome: RunOutcome) => outcome.steps.map((step) => `${step.nodeId} → ${step.result ?? 'end'}`)

const NOT_A_REFUND = { message: { content: 'Where is my parcel?' } }

describe('the reference flow', () => {
  it('follows SUCCESS straight to Message conversion when the message mentions a refund', () => {
    const outcome = runFlow(loadFixture('reference'), sampleContext(), { now: fixedClock() })

    expect(outcome.status).toBe('succeeded')
    expect(outcome.error).toBeNull()
    expect(outcome.steps).toMatchInlineSnapshot(`
      [
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.005Z",
          "nodeId": "start",
          "outputs": {},
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.000Z",
          "type": "start",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.015Z",
          "nodeId": "customer",
          "outputs": {
            "var_content": "Hello, I would like a refund for order 1042.",
          },
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.010Z",
          "type": "get_customer_data",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.025Z",
          "nodeId": "check",
          "outputs": {
            "value": true,
          },
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.020Z",
          "type": "logic",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.035Z",
          "nodeId": "convert",
          "outputs": {
            "channel": "email",
            "recipients": [
              "grace@team.example",
              "linus@team.example",
            ],
          },
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.030Z",
          "type": "message_conversion",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.045Z",
          "nodeId": "end",
          "outputs": {},
          "result": null,
          "startedAt": "2025-01-15T09:30:00.040Z",
          "type": "end",
        },
      ]
    `)
    expect(outcome.effects).toMatchInlineSnapshot(`
      [
        {
          "channel": "email",
          "message": {
            "subject": "Order 1042",
            "text": "Hello, I would like a refund for order 1042.",
          },
          "nodeId": "convert",
          "recipients": [
            {
              "address": "grace@team.example",
              "agentId": "agt_1",
              "name": "Grace",
            },
            {
              "address": "linus@team.example",
              "agentId": "agt_2",
              "name": "Linus",
            },
          ],
          "type": "deliver_message",
        },
      ]
    `)
    expect(outcome.variables).toEqual({ var_content: 'Hello, I would like a refund for order 1042.' })
  })

  it('takes FALSE through Assign all agents, then delivers to the new assignees', () => {
    // Linus alone was assigned before the run; after Assign all agents both agents receive it.
    const context = sampleContext({ ...NOT_A_REFUND, conversation: { id: 'cnv_1', assignees: ['agt_2'] } })
    const outcome = runFlow(loadFixture('reference'), context, { now: fixedClock() })

    expect(outcome.status).toBe('succeeded')
    expect(outcome.steps).toMatchInlineSnapshot(`
      [
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.005Z",
          "nodeId": "start",
          "outputs": {},
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.000Z",
          "type": "start",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.015Z",
          "nodeId": "customer",
          "outputs": {
            "var_content": "Where is my parcel?",
          },
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.010Z",
          "type": "get_customer_data",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.025Z",
          "nodeId": "check",
          "outputs": {
            "value": false,
          },
          "result": "FALSE",
          "startedAt": "2025-01-15T09:30:00.020Z",
          "type": "logic",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.035Z",
          "nodeId": "assign",
          "outputs": {
            "assignees": [
              "agt_1",
              "agt_2",
            ],
          },
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.030Z",
          "type": "assign_all_agents",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.045Z",
          "nodeId": "convert",
          "outputs": {
            "channel": "email",
            "recipients": [
              "grace@team.example",
              "linus@team.example",
            ],
          },
          "result": "SUCCESS",
          "startedAt": "2025-01-15T09:30:00.040Z",
          "type": "message_conversion",
        },
        {
          "error": null,
          "finishedAt": "2025-01-15T09:30:00.055Z",
          "nodeId": "end",
          "outputs": {},
          "result": null,
          "startedAt": "2025-01-15T09:30:00.050Z",
          "type": "end",
        },
      ]
    `)
    expect(outcome.effects).toMatchInlineSnapshot(`
      [
        {
          "agentIds": [
            "agt_1",
            "agt_2",
          ],
          "nodeId": "assign",
          "type": "assign_agents",
        },
        {
          "channel": "email",
          "message": {
            "subject": "Order 1042",
            "text": "Where is my parcel?",
          },
          "nodeId": "convert",
          "recipients": [
            {
              "address": "grace@team.example",
              "agentId": "agt_1",
              "name": "Grace",
            },
            {
              "address": "linus@team.example",
              "agentId": "agt_2",
              "name": "Linus",
            },
          ],
          "type": "deliver_message",
        },
      ]
    `)
  })

  it("delivers only to the conversation's assignees when it has some", () => {
    const context = sampleContext({ conversation: { id: 'cnv_1', assignees: ['agt_2'] } })
    const outcome = runFlow(loadFixture('reference'), context, { now: fixedClock() })

    expect(outcome.effects).toEqual([
      expect.objectContaining({
        type: 'deliver_message',
        recipients: [{ agentId: 'agt_2', name: 'Linus', address: 'linus@team.example' }],
      }),
    ])
  })

  it('delivers to every agent when the assignees are no longer agents', () => {
    const context = sampleContext({ conversation: { id: 'cnv_1', assignees: ['agt_gone'] } })
    const outcome = runFlow(loadFixture('reference'), context, { now: fixedClock() })

    const [delivery] = outcome.effects
    expect(delivery?.type === 'deliver_message' && delivery.recipients.map((r) => r.agentId)).toEqual(['agt_1', 'agt_2'])
  })

  it('fails the run at Assign all agents when there are no agents and no FAILURE edge', () => {
    const outcome = runFlow(loadFixture('reference'), sampleContext({ ...NOT_A_REFUND, agents: [] }), { now: fixedClock() })

    expect(outcome.status).toBe('failed')
    expect(outcome.error).toEqual({ code: 'RUN_NO_AGENTS', message: 'there are no agents to assign', nodeId: 'assign' })
    expect(path(outcome)).toEqual(['start → SUCCESS', 'customer → SUCCESS', 'check → FALSE', 'assign → FAILURE'])
    expect(outcome.steps.at(-1)?.error).toEqual(outcome.error)
    expect(outcome.effects).toEqual([])
  })

  it('fails the run at Message conversion when nobody can receive the message', () => {
    const outcome = runFlow(loadFixture('reference'), sampleContext({ agents: [] }), { now: fixedClock() })

    expect(outcome.status).toBe('failed')
    expect(outcome.error).toMatchObject({ code: 'RUN_NO_RECIPIENTS', nodeId: 'convert' })
    expect(outcome.effects).toEqual([])
  })

  it('neither mutates the context nor depends on anything but its inputs', () => {
    const context = sampleContext(NOT_A_REFUND)
    const before = JSON.stringify(context)
    const first = runFlow(loadFixture('reference'), context, { now: fixedClock() })
    const second = runFlow(loadFixture('reference'), context, { now: fixedClock() })

    expect(JSON.stringify(context)).toBe(before)
    expect(second).toEqual(first)
  })

  it('stamps every step with the injected clock', () => {
    const outcome = runFlow(loadFixture('reference'), sampleContext(), { now: fixedClock(Date.UTC(2030, 5, 1)) })
    expect(outcome.steps[0]).toMatchObject({ startedAt: '2030-06-01T00:00:00.000Z', finishedAt: '2030-06-01T00:00:00.005Z' })
    expect(outcome.steps.at(-1)).toMatchObject({ startedAt: '2030-06-01T00:00:00.040Z', finishedAt: '2030-06-01T00:00:00.045Z' })
  })
})

describe('FAILURE edges', () => {
  it('follows the FAILURE edge when a logic expression fails at run time', () => {
    // No `plan` custom field: var_plan is null and null.startsWith() has no overload.
    const outcome = runFlow(loadFixture('failureEdge'), sampleContext(), { now: fixedClock() })

    expect(outcome.status).toBe('succeeded')
    expect(outcome.error).toBeNull()
    expect(outcome.steps.map(({ nodeId, result, error }) => ({ nodeId, result, error }))).toMatchInlineSnapshot(`
      [
        {
          "error": null,
          "nodeId": "start",
          "result": "SUCCESS",
        },
        {
          "error": null,
          "nodeId": "plan",
          "result": "SUCCESS",
        },
        {
          "error": {
            "code": "RUN_EXPRESSION",
            "message": "found no matching overload for 'null.startsWith(string)'",
            "nodeId": "enterprise",
          },
          "nodeId": "enterprise",
          "result": "FAILURE",
        },
        {
          "error": null,
          "nodeId": "assign",
          "result": "SUCCESS",
        },
        {
          "error": null,
          "nodeId": "convert",
          "result": "SUCCESS",
        },
        {
          "error": null,
          "nodeId": "end",
          "result": null,
        },
      ]
    `)
    expect(outcome.effects.map((effect) => effect.type)).toEqual(['assign_agents', 'deliver_message'])
  })

  it('takes the ordinary SUCCESS edge when the same expression evaluates', () => {
    const context = sampleContext({ customer: { custom: { plan: 'enterprise-eu' } } })
    const outcome = runFlow(loadFixture('failureEdge'), context, { now: fixedClock() })

    expect(path(outcome)).toEqual(['start → SUCCESS', 'plan → SUCCESS', 'enterprise → SUCCESS', 'convert → SUCCESS', 'end → end'])
  })

  it('fails the run with the expression error when the failing logic node has no FAILURE edge', () => {
    const flow = loadFixture('failureEdge')
    flow.edges = flow.edges.filter((edge) => edge.result !== 'FAILURE')
    const outcome = runFlow(flow, sampleContext(), { now: fixedClock() })

    expect(outcome.status).toBe('failed')
    expect(outcome.error).toEqual({
      code: 'RUN_EXPRESSION',
      message: expect.stringContaining('startsWith'),
      nodeId: 'enterprise',
    })
    expect(path(outcome)).toEqual(['start → SUCCESS', 'plan → SUCCESS', 'enterprise → FAILURE'])
    expect(outcome.effects).toEqual([])
  })

  it('fails a logic node whose expression gives something other than true or false', () => {
    const flow = loadFixture('failureEdge')
    const logic = flow.nodes.find((node) => node.id === 'enterprise')
    if (logic) logic.config = { expression: 'var_plan' }
    const outcome = runFlow(flow, sampleContext({ customer: { custom: { plan: 'gold' } } }), { now: fixedClock() })

    expect(outcome.steps[2]).toMatchObject({
      nodeId: 'enterprise',
      result: 'FAILURE',
      error: { code: 'RUN_EXPRESSION', message: 'expression gave string, not true or false' },
    })
    expect(outcome.status).toBe('succeeded')
  })

  it('lets an effect node fail along its FAILURE edge without failing the run', () => {
    const flow = loadFixture('reference')
    flow.edges.push({ id: 'e7', source: 'assign', target: 'end', result: 'FAILURE' })
    const outcome = runFlow(flow, sampleContext({ ...NOT_A_REFUND, agents: [] }), { now: fixedClock() })

    expect(outcome.status).toBe('succeeded')
    expect(path(outcome)).toEqual(['start → SUCCESS', 'customer → SUCCESS', 'check → FALSE', 'assign → FAILURE', 'end → end'])
    expect(outcome.steps[3]?.error?.code).toBe('RUN_NO_AGENTS')
  })
})

describe('message conversion', () => {
  const smsContext = (content: string, subject: string | null = null) =>
    sampleContext({ message: { channel: 'sms', content, subject } })

  it('sends SMS only to agents with a phone number, as one line prefixed with the sender', () => {
    const outcome = runFlow(loadFixture('sms'), smsContext('I need a\n\n  REFUND   today'), { now: fixedClock() })

    expect(outcome.effects).toEqual([
      {
        type: 'deliver_message',
        nodeId: 'convert',
        channel: 'sms',
        recipients: [{ agentId: 'agt_1', name: 'Grace', address: '+15550101' }],
        message: { subject: 'Message from Ada Lovelace', text: 'Ada Lovelace: I need a REFUND today' },
      },
    ])
    expect(outcome.steps.find((step) => step.nodeId === 'convert')?.outputs).toEqual({ channel: 'sms', recipients: ['+15550101'] })
  })

  it('truncates SMS text to 160 characters, marking the cut', () => {
    const outcome = runFlow(loadFixture('sms'), smsContext(`refund ${'x'.repeat(300)}`), { now: fixedClock() })
    const [delivery] = outcome.effects
    const text = delivery?.type === 'deliver_message' ? delivery.message.text : ''

    expect(text).toHaveLength(160)
    expect(text.startsWith('Ada Lovelace: refund xxx')).toBe(true)
    expect(text.endsWith('x…')).toBe(true)
  })

  it('never cuts an SMS in the middle of an emoji', () => {
    // The cut (159 UTF-16 units, then the ellipsis) falls between the two halves of 😀.
    const content = `refund ${'x'.repeat(159 - 'Ada Lovelace: refund '.length - 1)}😀 and more after the cut`
    const [delivery] = runFlow(loadFixture('sms'), smsContext(content), { now: fixedClock() }).effects
    const text = delivery?.type === 'deliver_message' ? delivery.message.text : ''

    // A lone surrogate cannot be encoded for the SMS provider's HTTP API.
    expect(() => encodeURIComponent(text)).not.toThrow()
    expect(text.endsWith('x…')).toBe(true)
  })

  it('keeps an SMS of exactly 160 characters whole', () => {
    const content = `refund ${'y'.repeat(160 - 'Ada Lovelace: refund '.length)}`
    const outcome = runFlow(loadFixture('sms'), smsContext(content), { now: fixedClock() })
    const [delivery] = outcome.effects

    expect(delivery?.type === 'deliver_message' && delivery.message.text).toBe(`Ada Lovelace: ${content}`)
  })

  it('names the customer by e-mail or phone when the name is unknown', () => {
    const context = sampleContext({ customer: { name: null, email: null }, message: { channel: 'sms', content: 'refund', subject: null } })
    const [delivery] = runFlow(loadFixture('sms'), context, { now: fixedClock() }).effects

    expect(delivery?.type === 'deliver_message' && delivery.message).toEqual({
      subject: 'Message from +15550100',
      text: '+15550100: refund',
    })
  })

  it('fails an SMS conversion when no recipient has a phone number', () => {
    const context = sampleContext({
      message: { channel: 'sms', content: 'refund' },
      agents: [{ id: 'agt_2', name: 'Linus', email: 'linus@team.example', phone: null, online: true }],
    })
    const outcome = runFlow(loadFixture('sms'), context, { now: fixedClock() })

    expect(outcome.status).toBe('failed')
    expect(outcome.error).toEqual({ code: 'RUN_NO_RECIPIENTS', message: 'no agent has an address for sms', nodeId: 'convert' })
  })

  it('passes e-mail content through untouched, with the original subject', () => {
    const content = 'Hi,\n\nI want a refund.\n\n-- \nAda'
    const [delivery] = runFlow(loadFixture('reference'), sampleContext({ message: { content } }), { now: fixedClock() }).effects

    expect(delivery?.type === 'deliver_message' && delivery.message).toEqual({ subject: 'Order 1042', text: content })
  })
})

describe('Get customer data', () => {
  const gold = { customer: { custom: { tier: 'gold', orders: 2, region: 'asia' } } }

  it('reads standard and custom fields into several variables at once', () => {
    const outcome = runFlow(loadFixture('customFields'), sampleContext(gold), { now: fixedClock() })

    expect(outcome.steps[1]?.outputs).toMatchInlineSnapshot(`
      {
        "var_assignees": [],
        "var_name": "Ada Lovelace",
        "var_orders": 2,
        "var_region": "asia",
        "var_subject": "Order 1042",
        "var_tier": "gold",
      }
    `)
    expect(path(outcome)).toContain('vip → SUCCESS')
  })

  it('takes either branch depending on the custom fields', () => {
    const run = (custom: Record<string, string | number>) =>
      path(runFlow(loadFixture('customFields'), sampleContext({ customer: { custom } }), { now: fixedClock() }))[2]

    expect(run({ orders: 12, region: 'eu' })).toBe('vip → SUCCESS')
    expect(run({ orders: 12, region: 'asia' })).toBe('vip → FALSE')
    expect(run({ tier: 'silver', orders: 3 })).toBe('vip → FALSE')
    expect(run({})).toBe('vip → FALSE')
  })

  it('reads a custom field even when its name is also a standard field', () => {
    const flow = customerData([{ variable: 'var_x', category: 'custom', field: 'customer.name' }])
    const context = sampleContext({ customer: { custom: { 'customer.name': 'from custom' } } })

    expect(runFlow(flow, context, { now: fixedClock() }).variables).toEqual({ var_x: 'from custom' })
  })

  it('gives null for custom fields the customer does not have, whatever their name', () => {
    const flow = customerData(
      ['missing', 'constructor', 'toString', '__proto__'].map((field, i) => ({ variable: `var_${i}`, category: 'custom', field })),
    )
    const outcome = runFlow(flow, sampleContext(), { now: fixedClock() })

    expect(outcome.variables).toEqual({ var_0: null, var_1: null, var_2: null, var_3: null })
  })

  it('reads the assignees the run has set so far', () => {
    const flow: FlowDefinition = {
      ...customerData([{ variable: 'var_assignees', category: 'standard', field: 'conversation.assignees' }]),
    }
    flow.nodes.push({ id: 'assign', type: 'assign_all_agents', position: { x: 0, y: 0 }, config: {} })
    flow.edges = [
      { id: 'e1', source: 'start', target: 'assign', result: 'SUCCESS' },
      { id: 'e2', source: 'assign', target: 'data', result: 'SUCCESS' },
      { id: 'e3', source: 'data', target: 'end', result: 'SUCCESS' },
    ]

    expect(runFlow(flow, sampleContext(), { now: fixedClock() }).variables).toEqual({ var_assignees: ['agt_1', 'agt_2'] })
  })
})

describe('resume', () => {
  it('starts at the given node with the variables gathered before', () => {
    const outcome = runFlow(loadFixture('reference'), sampleContext(NOT_A_REFUND), {
      now: fixedClock(),
      resume: { nodeId: 'check', variables: { var_content: 'refund please' } },
    })

    expect(outcome.status).toBe('succeeded')
    expect(path(outcome)).toEqual(['check → SUCCESS', 'convert → SUCCESS', 'end → end'])
    expect(outcome.variables).toEqual({ var_content: 'refund please' })
  })

  it('leaves the caller’s variables untouched', () => {
    const variables = { var_other: 1 }
    runFlow(loadFixture('reference'), sampleContext(), { now: fixedClock(), resume: { nodeId: 'customer', variables } })

    expect(variables).toEqual({ var_other: 1 })
  })

  it('fails at once when the resume node does not exist', () => {
    const outcome = runFlow(loadFixture('reference'), sampleContext(), { now: fixedClock(), resume: { nodeId: 'gone', variables: {} } })

    expect(outcome).toMatchObject({ status: 'failed', steps: [], error: { code: 'RUN_UNKNOWN_NODE', nodeId: 'gone' } })
  })
})

describe('step limit and broken definitions', () => {
  it('stops a cyclic definition after twice as many steps as it has nodes', () => {
    const outcome = runFlow(loadFixture('invalidCycle'), sampleContext(NOT_A_REFUND), { now: fixedClock() })

    expect(outcome.status).toBe('failed')
    expect(outcome.error).toEqual({ code: 'RUN_STEP_LIMIT', message: 'stopped after 12 steps', nodeId: 'check' })
    expect(outcome.steps).toHaveLength(12)
    expect(path(outcome).slice(-2)).toEqual(['check → FALSE', 'assign → SUCCESS'])
  })

  it('honours an explicit step limit, counting the End step', () => {
    const run = (maxSteps: number) =>
      runFlow(loadFixture('reference'), sampleContext(NOT_A_REFUND), { now: fixedClock(), maxSteps })

    expect(run(6).status).toBe('succeeded')
    expect(run(5)).toMatchObject({ status: 'failed', error: { code: 'RUN_STEP_LIMIT', nodeId: 'end' } })
  })

  it('fails without a step when there is no start node', () => {
    const flow = loadFixture('reference')
    flow.nodes = flow.nodes.filter((node) => node.type !== 'start')

    expect(runFlow(flow, sampleContext(), { now: fixedClock() })).toMatchObject({
      status: 'failed',
      steps: [],
      error: { code: 'RUN_NO_START' },
    })
  })

  it('fails when a node has no edge for its result', () => {
    const flow = loadFixture('reference')
    flow.edges = flow.edges.filter((edge) => edge.id !== 'e4')
    const outcome = runFlow(flow, sampleContext(NOT_A_REFUND), { now: fixedClock() })

    expect(outcome.error).toEqual({ code: 'RUN_NO_EDGE', message: 'Logic operation "check" has no FALSE edge', nodeId: 'check' })
  })
})

/** start → data (the given outputs) → end. */
function customerData(outputs: { variable: string; category?: string; field: string }[]): FlowDefinition {
  return {
    schemaVersion: 1,
    channel: 'email',
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} },
      { id: 'data', type: 'get_customer_data', position: { x: 240, y: 0 }, config: { outputs } },
      { id: 'end', type: 'end', position: { x: 480, y: 0 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'data', result: 'SUCCESS' },
      { id: 'e2', source: 'data', target: 'end', result: 'SUCCESS' },
    ],
  }
}
