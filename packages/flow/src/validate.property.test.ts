/**
 * Property-style tests: thousands of generated inputs, each from a fixed seed so
 * a failure names the seed that reproduces it.
 */
import { describe, expect, it } from 'vitest'
import { sampleContext } from '../fixtures/index.ts'
import { NODE_CATALOG } from './catalog.ts'
import { CHANNELS, NODE_RESULTS, NODE_TYPES, type FlowDefinition, type FlowEdge, type FlowNode, type NodeType } from './definition.ts'
import { canonicalJson } from './diff.ts'
import { runFlow } from './engine.ts'
import { STANDARD_FIELDS } from './fields.ts'
import { FLOW_ISSUES, validateFlow, type ValidationIssue } from './validate.ts'

/** mulberry32: small, fast and good enough to explore inputs reproducibly. */
function random(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[int(items.length)] as T
  }
  return { next, int, pick, chance: (p: number) => next() < p }
}
type Random = ReturnType<typeof random>

const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '']
const FLOW_KEYS = ['schemaVersion', 'channel', 'nodes', 'edges', 'id', 'type', 'position', 'config', 'label', 'x', 'y',
  'source', 'target', 'result', 'outputs', 'variable', 'category', 'field', 'expression', 'output']
const STRINGS = ['', ' ', 'start', 'end', 'email', 'sms', 'SUCCESS', 'FALSE', 'FAILURE', 'var_content', 'var_', 'message.content',
  'customer.name', '__proto__', 'constructor', '😀', '消息', '\u0000', 'a'.repeat(5000), "var_a.contains('x'", ...NODE_TYPES]

/** An own enumerable property even for `__proto__`, as JSON.parse would create it. */
function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Any JSON-ish value, occasionally huge or deeply nested. */
function junk(r: Random, depth = 0): unknown {
  const roll = r.int(depth > 3 ? 8 : 12)
  switch (roll) {
    case 0: return null
    case 1: return undefined
    case 2: return r.chance(0.5)
    case 3: return r.pick([0, -0, 1, -1, 1.5, 1e308, -1e308, NaN, Infinity, -Infinity, 2 ** 53, 64, 1000])
    case 4: case 5: return r.pick(STRINGS)
    case 6: return String.fromCharCode(...Array.from({ length: r.int(20) }, () => r.int(0xffff)))
    case 7: return r.int(1000)
    case 8: case 9: {
      const object = r.chance(0.1) ? Object.create(null) : {}
      for (let i = r.int(5); i > 0; i--) define(object, r.pick(r.chance(0.3) ? NASTY_KEYS : FLOW_KEYS), junk(r, depth + 1))
      return object
    }
    case 10: return Array.from({ length: r.int(5) }, () => junk(r, depth + 1))
    default: {
      if (r.chance(0.5)) {
        // Deep nesting: a naive recursive walk would overflow the stack here.
        let nested: unknown = junk(r, 4)
        for (let i = 0; i < 2000; i++) nested = r.chance(0.5) ? [nested] : { config: nested }
        return nested
      }
      return new Array(r.pick([1001, 3001, 20_000])).fill(r.chance(0.5) ? 0 : { id: 'x' })
    }
  }
}

/** Something that looks like a flow, with junk in random places. */
function flowShapedJunk(r: Random): Record<string, unknown> {
  const node = () => ({
    id: r.chance(0.8) ? `n${r.int(6)}` : junk(r),
    type: r.chance(0.8) ? r.pick(NODE_TYPES) : junk(r),
    position: r.chance(0.9) ? { x: r.int(500), y: r.int(500) } : junk(r),
    config: r.chance(0.7) ? NODE_CATALOG[r.pick(NODE_TYPES)].defaultConfig() : junk(r),
  })
  const edge = () => ({
    id: r.chance(0.8) ? `e${r.int(8)}` : junk(r),
    source: r.chance(0.8) ? `n${r.int(6)}` : junk(r),
    target: r.chance(0.8) ? `n${r.int(6)}` : junk(r),
    result: r.chance(0.8) ? r.pick(NODE_RESULTS) : junk(r),
  })
  const flow: Record<string, unknown> = {
    schemaVersion: r.chance(0.9) ? 1 : junk(r),
    channel: r.chance(0.9) ? r.pick(CHANNELS) : junk(r),
    nodes: r.chance(0.9) ? Array.from({ length: r.int(8) }, node) : junk(r),
    edges: r.chance(0.9) ? Array.from({ length: r.int(10) }, edge) : junk(r),
  }
  if (r.chance(0.1)) define(flow, r.pick(NASTY_KEYS), junk(r))
  return flow
}

const CUSTOM_FIELDS = ['tier', 'orders', 'plan', 'region', 'constructor', 'vip.since']
const STANDARD = Object.keys(STANDARD_FIELDS)

/**
 * A random valid flow: a DAG in array order (edges only point forward), every
 * required result wired, unreachable nodes dropped, and logic expressions naming
 * only variables set on every path to them.
 */
function randomValidFlow(r: Random): FlowDefinition {
  const channel = r.pick(CHANNELS)
  const middle: NodeType[] = ['get_customer_data', 'get_customer_data', 'logic', 'logic', 'assign_all_agents', 'message_conversion', 'end']
  const types: NodeType[] = ['start', ...Array.from({ length: 1 + r.int(14) }, () => r.pick(middle)), 'end']
  const nodes: FlowNode[] = types.map((type, i) => ({
    id: i === 0 ? 'start' : `${type.slice(0, 4)}-${i}`,
    type,
    position: { x: i * 200, y: r.int(400) },
    config: {},
  }))
  nodes.forEach((node, i) => {
    if (node.type === 'get_customer_data') {
      node.config = {
        outputs: Array.from({ length: 1 + r.int(3) }, (_, k) =>
          r.chance(0.5)
            ? { variable: `var_${i}_${k}`, category: 'standard', field: r.pick(STANDARD) }
            : { variable: `var_${i}_${k}`, ...(r.chance(0.5) && { category: 'custom' }), field: r.pick(CUSTOM_FIELDS) },
        ),
      }
    }
    if (node.type === 'message_conversion') node.config = { output: channel }
    if (r.chance(0.2)) node.label = r.pick(['Check', '检查', ''])
  })

  const edges: FlowEdge[] = []
  nodes.forEach((node, i) => {
    const kind = NODE_CATALOG[node.type]
    const results = kind.results.filter((result) => kind.requiredResults.includes(result) || r.chance(0.3))
    for (const result of results) {
      const target = nodes[i + 1 + r.int(nodes.length - i - 1)]
      if (target) edges.push({ id: `e${edges.length}`, source: node.id, target: target.id, result })
    }
  })

  const reachable = new Set(['start'])
  for (const edge of edges) if (reachable.has(edge.source)) reachable.add(edge.target)
  const kept = nodes.filter((node) => reachable.has(node.id))
  const keptEdges = edges.filter((edge) => reachable.has(edge.source))

  // Variables set on every path: in array (topological) order, intersect over predecessors.
  const scope = new Map<string, Set<string>>([['start', new Set()]])
  for (const node of kept.slice(1)) {
    let inScope: Set<string> | undefined
    for (const edge of keptEdges.filter((e) => e.target === node.id)) {
      const pred = kept.find((n) => n.id === edge.source)
      const outputs = pred?.type === 'get_customer_data' && Array.isArray(pred.config.outputs)
        ? pred.config.outputs.map((o: { variable: string }) => o.variable)
        : []
      const out = new Set([...(scope.get(edge.source) ?? []), ...outputs])
      inScope = inScope ? new Set([...inScope].filter((v) => out.has(v))) : out
    }
    scope.set(node.id, inScope ?? new Set())
    if (node.type === 'logic') node.config = { expression: randomExpression(r, [...(inScope ?? [])]) }
  }
  return { schemaVersion: 1, channel, nodes: kept, edges: keptEdges }
}

/** A boolean CEL expression over the given variables that evaluates whatever their values. */
function randomExpression(r: Random, variables: string[]): string {
  if (variables.length === 0) return r.pick(['true', 'false', '1 < 2', "'a' in ['a', 'b']", '[1, 2].exists(x, x > 1)'])
  const term = () => {
    const v = r.pick(variables)
    return r.pick([`${v} == null`, `${v} != 'gold'`, `type(${v}) == string`, `(type(${v}) == string && ${v}.contains('refund'))`])
  }
  return Array.from({ length: 1 + r.int(3) }, term).join(r.chance(0.5) ? ' && ' : ' || ')
}

/** One random corruption of a flow that keeps it JSON: a field set to junk, an id reused, an edge rewired… */
function corrupt(r: Random, flow: FlowDefinition): unknown {
  const copy: FlowDefinition = JSON.parse(JSON.stringify(flow))
  if (copy.nodes.length === 0) return copy
  const node = r.pick(copy.nodes)
  const edge = copy.edges.length > 0 ? r.pick(copy.edges) : undefined
  const ids = copy.nodes.map((n) => n.id)
  switch (r.int(14)) {
    case 0: define(node, r.pick(['id', 'type', 'position', 'config', 'label']), junk(r)); break
    case 1: if (edge) define(edge, r.pick(['id', 'source', 'target', 'result']), junk(r)); break
    case 2: node.type = r.pick(NODE_TYPES); break
    case 3: node.id = r.pick([...ids, 'ghost']); break
    case 4: if (edge) edge.target = r.pick([...ids, 'ghost']); break
    case 5: if (edge) edge.result = r.pick(NODE_RESULTS); break
    case 6: copy.edges.push({ id: r.pick(['e0', 'x']), source: r.pick(ids), target: r.pick(ids), result: r.pick(NODE_RESULTS) }); break
    case 7: copy.nodes.splice(r.int(copy.nodes.length), 1); break
    case 8: copy.edges.splice(r.int(copy.edges.length + 1), 1); break
    case 9: node.config = { expression: Array.from({ length: r.int(8) }, () => r.pick(["var_0_0", '(', ')', '.', "'", '&&', '!', 'exists', 'x', ',', '1', 'size()', '__proto__', 'constructor'])).join(r.pick(['', ' '])) }; break
    case 10: node.config = { outputs: [{ variable: r.pick(['var_0_0', 'var_X', 'x', '__proto__', 'var_1_0']), field: r.pick([...STANDARD, 'nope']), category: r.pick(['standard', 'custom']) }] }; break
    case 11: node.config = { expression: r.pick(['var_1_0 == null', 'foo == 1', 'var_9_9 != null', 'type(var_2_1) == string', 'var_1_0.size()']) }; break
    case 12: node.config = { output: r.pick(CHANNELS) }; break
    default: define(copy, r.pick(['channel', 'schemaVersion', ...NASTY_KEYS]), junk(r))
  }
  return copy
}

/** Taken before any generated input is validated; the last test compares. */
const PROTOTYPE_BEFORE = Object.getOwnPropertyNames(Object.prototype)

const ISSUE_KEYS = new Set(['code', 'nodeId', 'edgeId', 'message', 'params'])
const CODES = new Set<string>(Object.values(FLOW_ISSUES))

/** The contract of every answer: a list of well-formed issues, none from a swallowed crash. */
function expectWellFormed(issues: unknown, seed: number): asserts issues is ValidationIssue[] {
  expect(Array.isArray(issues), `seed ${seed}`).toBe(true)
  for (const issue of issues as Record<string, unknown>[]) {
    expect(Object.keys(issue).every((key) => ISSUE_KEYS.has(key)), `seed ${seed}`).toBe(true)
    expect(CODES.has(String(issue.code)), `seed ${seed}: ${String(issue.code)}`).toBe(true)
    expect(typeof issue.message === 'string' && issue.message.length > 0, `seed ${seed}`).toBe(true)
    expect(String(issue.message), `seed ${seed}`).not.toMatch(/^could not validate/)
    for (const key of ['nodeId', 'edgeId'] as const) {
      expect(issue[key] === undefined || typeof issue[key] === 'string', `seed ${seed}`).toBe(true)
    }
    if (issue.params !== undefined) {
      expect(Object.values(issue.params as object).every((value) => typeof value === 'string'), `seed ${seed}`).toBe(true)
    }
  }
}

describe('validateFlow on generated input', () => {
  it('answers junk of every kind with well-formed issues and never throws', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = random(seed)
      const input = r.chance(0.5) ? junk(r) : flowShapedJunk(r)
      let issues: unknown
      expect(() => (issues = validateFlow(input)), `seed ${seed}`).not.toThrow()
      expectWellFormed(issues, seed)
    }
  })

  it('answers corrupted valid flows with well-formed issues about nodes and edges that exist', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const r = random(seed)
      let input: unknown = randomValidFlow(r)
      for (let i = 1 + r.int(3); i > 0; i--) input = corrupt(r, input as FlowDefinition)
      const before = canonicalJson(input)
      let issues: unknown
      expect(() => (issues = validateFlow(input)), `seed ${seed}`).not.toThrow()
      expectWellFormed(issues, seed)
      expect(canonicalJson(input), `seed ${seed}: the input was modified`).toBe(before)

      const flow = input as { nodes?: { id?: unknown }[]; edges?: { id?: unknown }[] }
      const nodeIds = new Set(Array.isArray(flow.nodes) ? flow.nodes.map((n) => n?.id) : [])
      const edgeIds = new Set(Array.isArray(flow.edges) ? flow.edges.map((e) => e?.id) : [])
      for (const issue of issues) {
        if (issue.nodeId !== undefined) expect(nodeIds.has(issue.nodeId), `seed ${seed}: node ${issue.nodeId}`).toBe(true)
        if (issue.edgeId !== undefined) expect(edgeIds.has(issue.edgeId), `seed ${seed}: edge ${issue.edgeId}`).toBe(true)
      }
    }
  })

  it('leaves Object.prototype as it found it', () => {
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(PROTOTYPE_BEFORE)
    const probe: Record<string, unknown> = {}
    for (const key of FLOW_KEYS) expect(probe[key], key).toBeUndefined()
  })
})

describe('random valid flows', () => {
  const context = sampleContext({
    customer: { custom: { tier: 'gold', orders: 12, plan: 'enterprise' } },
    agents: [
      { id: 'agt_1', name: 'Grace', email: 'grace@team.example', phone: '+15550101', online: true },
      { id: 'agt_2', name: 'Linus', email: 'linus@team.example', phone: '+15550102', online: false },
    ],
  })

  it('pass validation and run from start to an End along their edges', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const r = random(seed)
      const flow = randomValidFlow(r)
      expect(validateFlow(flow), `seed ${seed}`).toEqual([])

      const message = r.pick(['I want a refund', 'hello', ''])
      const outcome = runFlow(flow, { ...context, message: { ...context.message, content: message } }, { now: () => 0 })
      expect(outcome.status, `seed ${seed}: ${JSON.stringify(outcome.error)}`).toBe('succeeded')
      expect(outcome.steps[0]?.nodeId).toBe('start')
      expect(outcome.steps.at(-1)?.type, `seed ${seed}`).toBe('end')
      expect(outcome.steps.length, `seed ${seed}`).toBeLessThanOrEqual(flow.nodes.length)
      // Each step is reached by the edge labelled with the previous step's result.
      for (let i = 1; i < outcome.steps.length; i++) {
        const from = outcome.steps[i - 1]
        const edge = flow.edges.find((e) => e.source === from?.nodeId && e.result === from?.result)
        expect(edge?.target, `seed ${seed}, step ${i}`).toBe(outcome.steps[i]?.nodeId)
      }
      for (const step of outcome.steps.filter((s) => s.type === 'logic')) {
        expect(step.result, `seed ${seed}: ${step.nodeId}`).toBe(step.outputs.value === true ? 'SUCCESS' : 'FALSE')
      }
      const effectNodes = outcome.effects.map((effect) => effect.nodeId)
      expect(new Set(effectNodes).size, `seed ${seed}: an effect twice for one node`).toBe(effectNodes.length)
    }
  })
})
