import { describe, expect, it } from 'vitest'
import { VALID_FIXTURES, loadFixture } from '../fixtures/index.ts'
import type { FlowDefinition, FlowNode } from './definition.ts'
import { FLOW_ISSUES, isValidFlow, validateFlow, variablesInScope, type ValidationIssue } from './validate.ts'

/** Issues reduced to what identifies them: the rule and where it is broken. */
function brief(issues: ValidationIssue[]) {
  return issues.map(({ code, nodeId, edgeId }) => ({ code, ...(nodeId && { nodeId }), ...(edgeId && { edgeId }) }))
}

const check = (flow: unknown) => brief(validateFlow(flow))

function node(flow: FlowDefinition, id: string): FlowNode {
  const found = flow.nodes.find((n) => n.id === id)
  if (!found) throw new Error(`no node ${id}`)
  return found
}

function addOutput(flow: FlowDefinition, nodeId: string, output: Record<string, string>): void {
  const data = node(flow, nodeId)
  data.config = { outputs: [...(Array.isArray(data.config.outputs) ? data.config.outputs : []), output] }
}

describe('valid flows', () => {
  it.each(VALID_FIXTURES)('accepts the %s fixture', (name) => {
    expect(validateFlow(loadFixture(name))).toEqual([])
    expect(isValidFlow(loadFixture(name))).toBe(true)
  })

  it('does not modify the definition it checks', () => {
    const flow = loadFixture('invalidDiamond')
    const before = JSON.stringify(flow)
    validateFlow(flow)
    expect(JSON.stringify(flow)).toBe(before)
  })
})

describe('schema shape', () => {
  it.each([[null], [42], ['flow'], [[]], [true]])('rejects %j as a whole', (input) => {
    expect(validateFlow(input)).toEqual([
      { code: FLOW_ISSUES.schema, message: '/: must be object', params: { path: '/' } },
    ])
  })

  it('names the missing top-level properties', () => {
    const [issue, ...rest] = validateFlow({})
    expect(rest).toEqual([])
    expect(issue).toMatchObject({ code: FLOW_ISSUES.schema, params: { path: '/' } })
    expect(issue?.message).toMatch(/schemaVersion.*channel.*nodes.*edges/)
  })

  it.each<[string, (flow: Record<string, unknown> & FlowDefinition) => void, string]>([
    ['an unknown schemaVersion', (f) => Object.assign(f, { schemaVersion: 2 }), '/schemaVersion'],
    ['an unknown channel', (f) => Object.assign(f, { channel: 'fax' }), '/channel'],
    ['an unknown node type', (f) => Object.assign(node(f, 'assign'), { type: 'webhook' }), '/nodes/3/type'],
    ['a node id with spaces', (f) => Object.assign(node(f, 'end'), { id: 'the end' }), '/nodes/5/id'],
    ['an empty edge id', (f) => Object.assign(f.edges[0] ?? {}, { id: '' }), '/edges/0/id'],
    ['an unknown edge result', (f) => Object.assign(f.edges[2] ?? {}, { result: 'MAYBE' }), '/edges/2/result'],
    ['a position that is not a number', (f) => Object.assign(node(f, 'start'), { position: { x: '0', y: 0 } }), '/nodes/0/position/x'],
    ['a config that is not an object', (f) => Object.assign(node(f, 'start'), { config: [] }), '/nodes/0/config'],
    ['an over-long label', (f) => Object.assign(node(f, 'check'), { label: 'x'.repeat(121) }), '/nodes/2/label'],
    ['an unexpected property', (f) => Object.assign(f, { owner: 'me' }), '/'],
    ['an unexpected node property', (f) => Object.assign(node(f, 'check'), { colour: 'red' }), '/nodes/2'],
    ['more than 1000 nodes', (f) => Object.assign(f, { nodes: Array.from({ length: 1001 }, () => f.nodes[5]) }), '/nodes'],
  ])('rejects %s at its path', (_name, breakIt, path) => {
    const flow = loadFixture('reference')
    breakIt(flow)
    const issues = validateFlow(flow)
    expect(issues.length).toBeGreaterThan(0)
    for (const issue of issues) {
      expect(issue).toEqual({ code: FLOW_ISSUES.schema, message: expect.stringMatching(`^${path}: `), params: { path } })
    }
  })

  it('names the allowed values, once, when a value is not one of them', () => {
    const fax = loadFixture('reference')
    Object.assign(fax, { channel: 'fax' })
    expect(validateFlow(fax).map((issue) => issue.message)).toEqual(['/channel: must be one of email, sms'])

    const webhook = loadFixture('reference')
    Object.assign(node(webhook, 'assign'), { type: 'webhook' })
    expect(validateFlow(webhook).map((issue) => issue.message)).toEqual([
      '/nodes/3/type: must be one of start, get_customer_data, logic, assign_all_agents, message_conversion, end',
    ])
  })

  it('reports every shape problem at once and checks no further rules until the shape is right', () => {
    const flow = loadFixture('reference')
    Object.assign(flow, { schemaVersion: 2, channel: 'fax' })
    Object.assign(node(flow, 'assign'), { id: 'assign all' })
    flow.edges = [] // would break graph rules, but those wait for a well-shaped definition

    expect(validateFlow(flow).map((issue) => issue.params?.path)).toEqual(['/schemaVersion', '/channel', '/nodes/3/id'])
  })

  it('still reports a wrong value when the schema library stops listing errors early', () => {
    // TypeBox gives up after 8 errors; here it lists only some of the node types for the second node.
    const flow = loadFixture('reference')
    Object.assign(node(flow, 'customer'), { type: 'webhook' })
    Object.assign(node(flow, 'assign'), { type: 'webhook' })

    expect(validateFlow(flow).map((issue) => issue.message)).toEqual([
      '/nodes/1/type: must be one of start, get_customer_data, logic, assign_all_agents, message_conversion, end',
      '/nodes/3/type: must be one of the allowed values',
    ])
  })

  it('never throws, even on an object whose properties throw when read', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('boom') }, ownKeys: () => { throw new Error('boom') } })
    const issues = validateFlow(hostile)
    expect(issues).toEqual([expect.objectContaining({ code: FLOW_ISSUES.schema })])
  })
})

describe('ids and edges', () => {
  it('rejects a node id used twice', () => {
    const flow = loadFixture('reference')
    flow.nodes.push({ id: 'end', type: 'end', position: { x: 0, y: 300 }, config: {} })
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.duplicateNodeId, nodeId: 'end' }])
  })

  it('rejects an edge id used twice', () => {
    const flow = loadFixture('reference')
    flow.edges.push({ id: 'e6', source: 'check', target: 'end', result: 'FAILURE' })
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.duplicateEdgeId, edgeId: 'e6' }])
  })

  it('rejects edges from or to nodes that do not exist', () => {
    const flow = loadFixture('reference')
    flow.edges.push(
      { id: 'to_ghost', source: 'convert', target: 'ghost', result: 'FAILURE' },
      { id: 'from_ghost', source: 'ghost', target: 'end', result: 'SUCCESS' },
    )
    expect(check(flow)).toEqual([
      { code: FLOW_ISSUES.edgeUnknownNode, edgeId: 'to_ghost' },
      { code: FLOW_ISSUES.edgeUnknownNode, edgeId: 'from_ghost' },
    ])
  })

  it('rejects an edge whose result its source node never produces', () => {
    const flow = loadFixture('reference')
    flow.edges.push(
      { id: 'start_failure', source: 'start', target: 'end', result: 'FAILURE' },
      { id: 'assign_false', source: 'assign', target: 'end', result: 'FALSE' },
    )
    expect(check(flow)).toEqual([
      { code: FLOW_ISSUES.edgeResult, nodeId: 'start', edgeId: 'start_failure' },
      { code: FLOW_ISSUES.edgeResult, nodeId: 'assign', edgeId: 'assign_false' },
    ])
  })

  it('rejects an edge out of End', () => {
    const flow = loadFixture('reference')
    flow.nodes.push({ id: 'end2', type: 'end', position: { x: 0, y: 300 }, config: {} })
    flow.edges.push({ id: 'after_end', source: 'end', target: 'end2', result: 'SUCCESS' })
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.edgeResult, nodeId: 'end', edgeId: 'after_end' }])
  })

  it('rejects a second edge for the same source and result', () => {
    const flow = loadFixture('reference')
    flow.edges.push({ id: 'e7', source: 'check', target: 'end', result: 'SUCCESS' })
    const issues = validateFlow(flow)
    expect(brief(issues)).toEqual([{ code: FLOW_ISSUES.edgeDuplicateResult, nodeId: 'check', edgeId: 'e7' }])
    expect(issues[0]?.message).toBe('Logic operation "check" has more than one SUCCESS edge')
  })

  it('allows two edges with different results to reach the same node', () => {
    expect(validateFlow(loadFixture('failureEdge'))).toEqual([])
  })
})

describe('graph', () => {
  it('requires a start node', () => {
    const flow = loadFixture('reference')
    flow.nodes = flow.nodes.filter((n) => n.id !== 'start')
    flow.edges = flow.edges.filter((e) => e.source !== 'start')
    expect(validateFlow(flow)).toEqual([
      { code: FLOW_ISSUES.startCount, message: 'a flow needs exactly one start node, not 0', params: { count: '0' } },
    ])
  })

  it('rejects a second start node', () => {
    const flow = loadFixture('reference')
    flow.nodes.push({ id: 'start2', type: 'start', position: { x: 0, y: 300 }, config: {} })
    flow.edges.push({ id: 'e7', source: 'start2', target: 'customer', result: 'SUCCESS' })
    expect(check(flow)).toEqual([
      { code: FLOW_ISSUES.startCount },
      { code: FLOW_ISSUES.unreachable, nodeId: 'start2' },
    ])
  })

  it('requires an End reachable from start', () => {
    const flow = loadFixture('reference')
    flow.edges = flow.edges.filter((e) => e.id !== 'e6')
    expect(check(flow)).toEqual([
      { code: FLOW_ISSUES.missingEdge, nodeId: 'convert' },
      { code: FLOW_ISSUES.unreachable, nodeId: 'end' },
      { code: FLOW_ISSUES.noReachableEnd },
    ])
  })

  it('flags what a new, empty flow still lacks', () => {
    const flow = loadFixture('reference')
    flow.nodes = flow.nodes.filter((n) => n.type === 'start')
    flow.edges = []
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.missingEdge, nodeId: 'start' }, { code: FLOW_ISSUES.noReachableEnd }])
  })

  it('rejects a node that cannot be reached from start', () => {
    const flow = loadFixture('reference')
    flow.nodes.push({ id: 'orphan', type: 'assign_all_agents', position: { x: 0, y: 300 }, config: {} })
    flow.edges.push({ id: 'e7', source: 'orphan', target: 'convert', result: 'SUCCESS' })
    const issues = validateFlow(flow)
    expect(brief(issues)).toEqual([{ code: FLOW_ISSUES.unreachable, nodeId: 'orphan' }])
    expect(issues[0]?.message).toBe('Assign all agents "orphan" cannot be reached from start')
  })

  it('requires a SUCCESS edge on every node but End', () => {
    const flow = loadFixture('reference')
    flow.edges = flow.edges.filter((e) => e.id !== 'e5')
    expect(validateFlow(flow)).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.missingEdge, nodeId: 'assign', params: { result: 'SUCCESS' } }),
    ])
  })

  it('requires a FALSE edge on a logic node', () => {
    const flow = loadFixture('reference')
    flow.edges = flow.edges.map((e) => (e.id === 'e4' ? { ...e, result: 'FAILURE' } : e))
    expect(validateFlow(flow)).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.missingEdge, nodeId: 'check', params: { result: 'FALSE' } }),
    ])
  })

  it('does not require FAILURE edges', () => {
    const flow = loadFixture('failureEdge')
    flow.edges = flow.edges.filter((e) => e.result !== 'FAILURE')
    expect(validateFlow(flow)).toEqual([])
  })

  it('rejects a cycle, naming the edge that closes it', () => {
    expect(check(loadFixture('invalidCycle'))).toEqual([{ code: FLOW_ISSUES.cycle, nodeId: 'assign', edgeId: 'loop' }])
  })

  it('rejects a node that loops to itself', () => {
    const flow = loadFixture('reference')
    flow.edges.push({ id: 'again', source: 'check', target: 'check', result: 'FAILURE' })
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.cycle, nodeId: 'check', edgeId: 'again' }])
  })
})

describe('Get customer data outputs', () => {
  it.each(['content', 'var_', 'var_Content', 'VAR_content', 'var-content', 'var_content!', 'var_内容', ' var_content'])(
    'rejects the output variable %j',
    (variable) => {
      const flow = loadFixture('reference')
      addOutput(flow, 'customer', { variable, category: 'standard', field: 'message.subject' })
      const issues = validateFlow(flow)
      expect(brief(issues)).toEqual([{ code: FLOW_ISSUES.varPrefix, nodeId: 'customer' }])
      expect(issues[0]?.params).toEqual({ variable })
    },
  )

  it.each(['var_subject', 'var_0', 'var_a_b_1', 'var__'])('accepts the output variable %j', (variable) => {
    const flow = loadFixture('reference')
    addOutput(flow, 'customer', { variable, category: 'standard', field: 'message.subject' })
    expect(validateFlow(flow)).toEqual([])
  })

  it('rejects a variable output twice by one node', () => {
    const flow = loadFixture('reference')
    addOutput(flow, 'customer', { variable: 'var_content', category: 'standard', field: 'message.subject' })
    expect(validateFlow(flow)).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.varDuplicate, nodeId: 'customer', params: { variable: 'var_content', owner: 'customer' } }),
    ])
  })

  it('rejects a variable output by two nodes, naming the later one', () => {
    const flow = loadFixture('invalidDiamond')
    node(flow, 'tier').config = { outputs: [{ variable: 'var_content', category: 'standard', field: 'message.subject' }] }
    node(flow, 'gold').config = { expression: 'var_content.size() > 0' }
    expect(validateFlow(flow)).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.varDuplicate, nodeId: 'tier', params: { variable: 'var_content', owner: 'content' } }),
    ])
  })

  it('rejects a standard field that does not exist', () => {
    const flow = loadFixture('reference')
    addOutput(flow, 'customer', { variable: 'var_size', category: 'standard', field: 'customer.shoe_size' })
    expect(validateFlow(flow)).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.unknownField, nodeId: 'customer', params: { field: 'customer.shoe_size' } }),
    ])
  })

  it('accepts any custom field name, with the category set or left empty', () => {
    const flow = loadFixture('reference')
    addOutput(flow, 'customer', { variable: 'var_size', category: 'custom', field: 'customer.shoe_size' })
    addOutput(flow, 'customer', { variable: 'var_plan', field: 'plan' })
    expect(validateFlow(flow)).toEqual([])
  })
})

describe('logic expressions', () => {
  const withExpression = (expression: string) => {
    const flow = loadFixture('reference')
    node(flow, 'check').config = { expression }
    return flow
  }

  it.each(["var_content.contains('refund'", 'var_content ==', `${'('.repeat(60)}true${')'.repeat(60)}`])(
    'rejects the malformed expression %j',
    (expression) => {
      expect(check(withExpression(expression))).toEqual([{ code: FLOW_ISSUES.exprSyntax, nodeId: 'check' }])
    },
  )

  it('rejects an expression known not to give true or false', () => {
    const issues = validateFlow(withExpression('var_content.size()'))
    expect(brief(issues)).toEqual([{ code: FLOW_ISSUES.exprSyntax, nodeId: 'check' }])
    expect(issues[0]?.message).toBe('expression: the expression must give true or false; this one gives int')
  })

  it('rejects regular expressions, which customer-written text could make run for seconds', () => {
    expect(check(withExpression("var_content.matches('(a+)+$')"))).toEqual([
      { code: FLOW_ISSUES.exprForbidden, nodeId: 'check' },
    ])
  })

  it('rejects names that are not var_ variables', () => {
    expect(validateFlow(withExpression("content.contains('refund') || customer.vip"))).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.exprNotVariable, nodeId: 'check', params: { variable: 'content' } }),
      expect.objectContaining({ code: FLOW_ISSUES.exprNotVariable, nodeId: 'check', params: { variable: 'customer' } }),
    ])
  })

  it('does not mistake comprehension variables for flow variables', () => {
    expect(validateFlow(withExpression("var_content.split(' ').exists(word, word == 'refund')"))).toEqual([])
  })

  it('rejects a var_ variable no Get customer data node outputs', () => {
    expect(validateFlow(withExpression("var_subject == 'Refund'"))).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.exprUnknownVariable, nodeId: 'check', params: { variable: 'var_subject' } }),
    ])
  })

  it('rejects a variable set on only one branch of a diamond, but not one set before the split', () => {
    const flow = loadFixture('invalidDiamond')
    // `gold` also names var_content, set before the split: only var_tier is reported.
    expect(validateFlow(flow)).toEqual([
      expect.objectContaining({ code: FLOW_ISSUES.exprUnknownVariable, nodeId: 'gold', params: { variable: 'var_tier' } }),
    ])
    expect([...(variablesInScope(flow).get('gold') ?? [])]).toEqual(['var_content'])
  })

  it('accepts the diamond once both branches pass the node that sets the variable', () => {
    const flow = loadFixture('invalidDiamond')
    flow.edges = flow.edges.map((e) => (e.id === 'e6' ? { ...e, target: 'tier' } : e))
    expect(validateFlow(flow)).toEqual([])
  })

  it('rejects a variable set only after the logic node', () => {
    const flow = loadFixture('invalidDiamond')
    node(flow, 'urgent').config = { expression: "var_tier == 'gold'" }
    node(flow, 'gold').config = { expression: 'true' }
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.exprUnknownVariable, nodeId: 'urgent' }])
  })

  it('does not check the expression of a node whose config is malformed', () => {
    expect(check(withExpression(''))).toEqual([{ code: FLOW_ISSUES.nodeConfig, nodeId: 'check' }])
  })
})

describe('message conversion channel', () => {
  it('requires e-mail output in an e-mail flow', () => {
    const flow = loadFixture('reference')
    node(flow, 'convert').config = { output: 'sms' }
    const issues = validateFlow(flow)
    expect(brief(issues)).toEqual([{ code: FLOW_ISSUES.channelMismatch, nodeId: 'convert' }])
    expect(issues[0]?.params).toEqual({ channel: 'email', output: 'sms' })
  })

  it('requires SMS output in an SMS flow', () => {
    const flow = loadFixture('sms')
    node(flow, 'convert').config = { output: 'email' }
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.channelMismatch, nodeId: 'convert' }])
  })
})

describe('markup', () => {
  it.each([
    ['a script tag', '<script>alert(1)</script>'],
    ['an image with an event handler', 'Look up <img src=x onerror=alert(1)>'],
    ['a javascript: link', 'javascript:alert(1)'],
  ])('refuses %s in a label', (_, label) => {
    const flow = loadFixture('reference')
    node(flow, 'customer').label = label
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.markup, nodeId: 'customer' }])
  })

  it('refuses markup in a setting, but not a comparison in a logic expression or a < in plain words', () => {
    const flow = loadFixture('reference')
    node(flow, 'assign').label = 'Is the customer online = yes?'
    node(flow, 'customer').config = { outputs: [{ variable: 'var_content', category: 'custom', field: '<b>plan</b>' }] }
    node(flow, 'check').label = 'Fewer than 3 orders? (< 3)'
    node(flow, 'check').config = { expression: "var_content<'b' || var_content == 'x'" }
    expect(check(flow)).toEqual([{ code: FLOW_ISSUES.markup, nodeId: 'customer' }])
  })
})

describe('node config', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['a logic node without expression', 'check', {}],
    ['a logic expression that is not a string', 'check', { expression: true }],
    ['a logic expression over 2000 characters', 'check', { expression: `var_content == '${'x'.repeat(2000)}'` }],
    ['Get customer data without outputs', 'customer', { outputs: [] }],
    ['an output without a field', 'customer', { outputs: [{ variable: 'var_content' }] }],
    ['an output with an extra property', 'customer', { outputs: [{ variable: 'var_content', field: 'message.content', x: 1 }] }],
    ['more than 20 outputs', 'customer', { outputs: Array.from({ length: 21 }, (_, i) => ({ variable: `var_${i}`, field: 'x' })) }],
    ['a conversion to an unknown channel', 'convert', { output: 'fax' }],
    ['config on Assign all agents', 'assign', { agents: ['agt_1'] }],
    ['config on Start', 'start', { delay: 5 }],
    ['config on End', 'end', { status: 'ok' }],
  ])('rejects %s', (_name, nodeId, config) => {
    const flow = loadFixture('reference')
    node(flow, nodeId).config = config
    const issues = validateFlow(flow)
    // Other rules may follow from the broken config (the expression's variable goes missing);
    // the config issue itself must be there, on the right node.
    expect(brief(issues)).toContainEqual({ code: FLOW_ISSUES.nodeConfig, nodeId })
    expect(issues.find((issue) => issue.code === FLOW_ISSUES.nodeConfig)?.params?.path).toMatch(/^config/)
  })
})

describe('node config messages', () => {
  it('names the node, the path and the allowed values', () => {
    const flow = loadFixture('reference')
    node(flow, 'customer').config = { outputs: [{ variable: 'var_content', category: 'secret', field: 'message.content' }] }
    node(flow, 'convert').config = { output: 'fax' }
    expect(validateFlow(flow)).toEqual([
      {
        code: FLOW_ISSUES.nodeConfig,
        nodeId: 'customer',
        message: 'Get customer data "customer": config/outputs/0/category must be one of standard, custom',
        params: { path: 'config/outputs/0/category' },
      },
      {
        code: FLOW_ISSUES.nodeConfig,
        nodeId: 'convert',
        message: 'Message conversion "convert": config/output must be one of email, sms',
        params: { path: 'config/output' },
      },
    ])
  })
})

describe('all issues at once', () => {
  it('reports every broken rule in one answer', () => {
    const flow = loadFixture('reference')
    addOutput(flow, 'customer', { variable: 'subject', category: 'standard', field: 'message.subject' })
    node(flow, 'check').config = { expression: "var_content.contains('refund') && vip" }
    node(flow, 'convert').config = { output: 'sms' }
    flow.nodes.push({ id: 'orphan', type: 'end', position: { x: 0, y: 300 }, config: {} })
    flow.edges.push({ id: 'e1', source: 'assign', target: 'end', result: 'FALSE' })

    expect(check(flow)).toEqual([
      { code: FLOW_ISSUES.duplicateEdgeId, edgeId: 'e1' },
      { code: FLOW_ISSUES.edgeResult, nodeId: 'assign', edgeId: 'e1' },
      { code: FLOW_ISSUES.unreachable, nodeId: 'orphan' },
      { code: FLOW_ISSUES.varPrefix, nodeId: 'customer' },
      { code: FLOW_ISSUES.exprNotVariable, nodeId: 'check' },
      { code: FLOW_ISSUES.channelMismatch, nodeId: 'convert' },
    ])
  })

  it('gives every issue a message naming what is wrong', () => {
    for (const issue of validateFlow(loadFixture('invalidDiamond'))) {
      expect(issue.message).toContain('var_tier')
    }
    for (const issue of validateFlow(loadFixture('invalidCycle'))) {
      expect(issue.message).toBe('edge "loop" closes a loop back to "check"')
    }
  })
})
