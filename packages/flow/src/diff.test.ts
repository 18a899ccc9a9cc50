import { describe, expect, it } from 'vitest'
import { loadFixture } from '../fixtures/index.ts'
import type { FlowDefinition, FlowNode } from './definition.ts'
import { canonicalJson, diffFlows } from './diff.ts'

function node(flow: FlowDefinition, id: string): FlowNode {
  const found = flow.nodes.find((n) => n.id === id)
  if (!found) throw new Error(`no node ${id}`)
  return found
}

const NO_CHANGES = {
  channelChanged: false,
  nodes: { added: [], removed: [], changed: [] },
  edges: { added: [], removed: [], changed: [] },
}

describe('diffFlows', () => {
  it('finds nothing between a flow and its copy', () => {
    expect(diffFlows(loadFixture('reference'), loadFixture('reference'))).toEqual(NO_CHANGES)
  })

  it('ignores the order of nodes, edges and config keys', () => {
    const after = loadFixture('customFields')
    after.nodes.reverse()
    after.edges.reverse()
    const vip = node(after, 'vip')
    vip.config = Object.fromEntries(Object.entries(vip.config).reverse())
    const profile = node(after, 'profile')
    profile.config = {
      outputs: (profile.config.outputs as Record<string, unknown>[]).map((o) => Object.fromEntries(Object.entries(o).reverse())),
    }
    expect(diffFlows(loadFixture('customFields'), after)).toEqual(NO_CHANGES)
  })

  it('lists added and removed nodes and edges by id', () => {
    const after = loadFixture('reference')
    after.nodes = after.nodes.filter((n) => n.id !== 'assign')
    after.nodes.push({ id: 'assign2', type: 'assign_all_agents', position: { x: 480, y: 160 }, config: {} })
    after.edges = after.edges.filter((e) => e.id !== 'e4' && e.id !== 'e5')
    after.edges.push(
      { id: 'e7', source: 'check', target: 'assign2', result: 'FALSE' },
      { id: 'e8', source: 'assign2', target: 'convert', result: 'SUCCESS' },
    )
    expect(diffFlows(loadFixture('reference'), after)).toEqual({
      channelChanged: false,
      nodes: { added: ['assign2'], removed: ['assign'], changed: [] },
      edges: { added: ['e7', 'e8'], removed: ['e4', 'e5'], changed: [] },
    })
  })

  it('names what changed about a node kept under the same id', () => {
    const after = loadFixture('reference')
    node(after, 'check').config = { expression: "var_content.contains('refund') || var_content.contains('money back')" }
    node(after, 'convert').position = { x: 720, y: 40 }
    Object.assign(node(after, 'assign'), { type: 'end', label: 'Give up', position: { x: 0, y: 0 } })
    expect(diffFlows(loadFixture('reference'), after).nodes.changed).toEqual([
      { id: 'check', changes: ['config'] },
      { id: 'assign', changes: ['type', 'label', 'position'] },
      { id: 'convert', changes: ['position'] },
    ])
  })

  it('treats a missing label and an empty one alike', () => {
    const before = loadFixture('reference')
    const after = loadFixture('reference')
    node(after, 'check').label = ''
    expect(diffFlows(before, after)).toEqual(NO_CHANGES)
    node(after, 'check').label = 'Refund?'
    expect(diffFlows(before, after).nodes.changed).toEqual([{ id: 'check', changes: ['label'] }])
  })

  it('names what changed about an edge kept under the same id', () => {
    const after = loadFixture('reference')
    after.edges = after.edges.map((e) => {
      if (e.id === 'e3') return { ...e, target: 'end' }
      if (e.id === 'e4') return { ...e, result: 'FAILURE' }
      if (e.id === 'e5') return { ...e, source: 'check', target: 'end' }
      return e
    })
    expect(diffFlows(loadFixture('reference'), after).edges.changed).toEqual([
      { id: 'e3', changes: ['target'] },
      { id: 'e4', changes: ['result'] },
      { id: 'e5', changes: ['source', 'target'] },
    ])
  })

  it('notices a change of channel', () => {
    const diff = diffFlows(loadFixture('reference'), loadFixture('sms'))
    expect(diff.channelChanged).toBe(true)
    expect(diff.nodes.changed).toEqual([
      { id: 'check', changes: ['config'] },
      { id: 'convert', changes: ['config'] },
    ])
  })
})

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: [{ z: 1, y: [{ d: 1, c: 2 }] }, 'x'], a: { c: null, b: true } })).toBe(
      '{"a":{"b":true,"c":null},"b":[{"y":[{"c":2,"d":1}],"z":1},"x"]}',
    )
  })

  it('serialises equal definitions identically, whatever their key order', () => {
    const flow = loadFixture('customFields')
    const shuffled: unknown = JSON.parse(JSON.stringify(flow), (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    )
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(flow))
    expect(canonicalJson(shuffled)).toBe(canonicalJson(flow))
  })

  it('keeps every value, so the text parses back to an equal definition', () => {
    const flow = loadFixture('customFields')
    expect(JSON.parse(canonicalJson(flow))).toEqual(flow)
  })

  it('tells different definitions apart', () => {
    const flow = loadFixture('reference')
    const moved = loadFixture('reference')
    node(moved, 'end').position.x += 1
    expect(canonicalJson(moved)).not.toBe(canonicalJson(flow))
  })

  it('orders keys by code unit, not by locale, so browser and server agree', () => {
    expect(canonicalJson({ a: 1, _: 2, B: 3, é: 4, Z: 5 })).toBe('{"B":3,"Z":5,"_":2,"a":1,"é":4}')
  })

  it('drops undefined like JSON.stringify and keeps an own __proto__ key', () => {
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}')
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2,"b":1}')
  })
})
