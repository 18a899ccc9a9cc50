import { describe, expect, it } from 'vitest'
import type { FlowDefinition } from '@replyflow/flow'
import referenceJson from '../../../../packages/flow/fixtures/reference.flow.json'
import { applyIntent } from './intents.ts'
import { CANVAS_NODE_TYPE, connectionToIntent, nodeDescription, nodeName, toCanvas } from './mapping.ts'

const reference = referenceJson as FlowDefinition

describe('definition ↔ canvas mapping', () => {
  it('draws every node with the one node type and every edge from its result handle, labelled', () => {
    const { nodes, edges } = toCanvas(reference, 'en')
    expect(nodes.map((node) => [node.id, node.type, node.position])).toEqual(reference.nodes.map((node) => [node.id, CANVAS_NODE_TYPE, node.position]))
    expect(edges.find((edge) => edge.id === 'e4')).toMatchObject({ source: 'check', target: 'assign', sourceHandle: 'FALSE', targetHandle: 'in', data: { label: 'False' } })
    expect(toCanvas(reference, 'zh-CN').edges.find((edge) => edge.id === 'e4')?.data?.label).toBe('否')
  })

  it('keeps unchanged nodes and edges as the same canvas objects after an edit', () => {
    const before = toCanvas(reference, 'en')
    const outcome = applyIntent(reference, { type: 'move-nodes', positions: { end: { x: 1000, y: 80 } } })
    if (!outcome.ok) throw new Error(outcome.rejection.code)
    const after = toCanvas(outcome.definition, 'en')
    expect(after.nodes.filter((node, i) => node !== before.nodes[i]).map((node) => node.id)).toEqual(['end'])
    expect(after.edges.every((edge, i) => edge === before.edges[i])).toBe(true)
    expect(after.nodes.find((node) => node.id === 'end')?.position).toEqual({ x: 1000, y: 80 })
  })

  it('reads a handle-to-handle drag as a connect intent for that result', () => {
    expect(connectionToIntent({ source: 'check', sourceHandle: 'FALSE', target: 'end', targetHandle: 'in' })).toEqual({
      type: 'connect',
      source: 'check',
      result: 'FALSE',
      target: 'end',
    })
    expect(connectionToIntent({ source: 'check', sourceHandle: 'bogus', target: 'end', targetHandle: 'in' })).toBeNull()
  })
})

describe('node names and descriptions', () => {
  it('name results in a description as the canvas does, not by their codes', () => {
    expect(nodeDescription('logic', 'zh-CN')).toBe('对 var_ 变量求值 CEL 表达式：真 → 成功，假 → 否。')
    expect(nodeDescription('logic', 'en')).toBe('Evaluates a CEL expression over var_ variables: true → Success, false → False.')
  })

  it('put an unlabelled node’s id in full-width brackets in Chinese', () => {
    const start = { id: 'start', type: 'start' as const, position: { x: 0, y: 0 }, config: {} }
    expect(nodeName(start, 'zh-CN')).toBe('开始（start）')
    expect(nodeName(start, 'en')).toBe('Start (start)')
    expect(nodeName({ ...start, label: 'Begin' }, 'zh-CN')).toBe('Begin')
  })
})
