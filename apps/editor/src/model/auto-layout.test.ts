import { describe, expect, it } from 'vitest'
import type { FlowDefinition, FlowNode } from '@replyflow/flow'
import { loadFixture } from '@replyflow/flow/fixtures'
import { NODE_WIDTH, estimatedHeight, spreadOverlapping } from './auto-layout.ts'

/** Whether two cards, as drawn, overlap or leave less than an edge's room between them. */
function cramped(a: FlowNode, b: FlowNode): boolean {
  const [upper, lower] = a.position.y <= b.position.y ? [a, b] : [b, a]
  return Math.abs(a.position.x - b.position.x) < NODE_WIDTH + 60 && lower.position.y - upper.position.y < estimatedHeight(upper) + 24
}

function anyCramped(definition: FlowDefinition): boolean {
  return definition.nodes.some((a, i) => definition.nodes.slice(i + 1).some((b) => cramped(a, b)))
}

describe('spreading a cramped import', () => {
  it('gives the DESIGN example (240 px apart) room for its edges, keeping its shape', () => {
    const design = loadFixture('reference')
    expect(anyCramped(design)).toBe(true)
    const spread = spreadOverlapping(design)
    expect(anyCramped(spread)).toBe(false)
    const at = (id: string) => spread.nodes.find((node) => node.id === id)?.position
    // Same rows and columns as drawn: Start, customer, check, convert, end in a row; assign under check.
    expect(new Set(['start', 'customer', 'check', 'convert', 'end'].map((id) => at(id)?.y))).toEqual(new Set([0]))
    expect(at('assign')?.x).toBe(at('check')?.x)
    expect(spread.edges).toBe(design.edges)
  })

  it('leaves a roomy flow exactly as it is', () => {
    const roomy = spreadOverlapping(loadFixture('reference'))
    expect(spreadOverlapping(roomy)).toBe(roomy)
  })

  it('lays out nodes stacked on one spot from Start onwards', () => {
    const stacked = loadFixture('reference')
    const piled = { ...stacked, nodes: stacked.nodes.map((node) => ({ ...node, position: { x: 0, y: 0 } })) }
    const laidOut = spreadOverlapping(piled)
    expect(anyCramped(laidOut)).toBe(false)
    const x = (id: string) => laidOut.nodes.find((node) => node.id === id)?.position.x ?? -1
    expect(x('start')).toBeLessThan(x('customer'))
    expect(x('customer')).toBeLessThan(x('check'))
    expect(x('check')).toBeLessThan(x('assign'))
    expect(x('assign')).toBeLessThan(x('convert'))
    expect(x('convert')).toBeLessThan(x('end'))
  })
})
