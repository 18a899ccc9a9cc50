import { describe, expect, it } from 'vitest'
import { VALID_FIXTURES, loadFixture } from '../fixtures/index.ts'
import { emptyFlow, isFlowDefinitionShape } from './definition.ts'
import { validateFlow } from './validate.ts'

describe('isFlowDefinitionShape', () => {
  it.each(VALID_FIXTURES)('accepts the %s fixture', (name) => {
    expect(isFlowDefinitionShape(loadFixture(name))).toBe(true)
  })

  it('accepts a definition that has the shape but breaks graph rules (a loop)', () => {
    const looping = loadFixture('invalidCycle')
    expect(validateFlow(looping).length).toBeGreaterThan(0)
    expect(isFlowDefinitionShape(looping)).toBe(true)
  })

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'flow'],
    ['another schema version', { ...emptyFlow('email'), schemaVersion: 2 }],
    ['an unknown channel', { ...emptyFlow('email'), channel: 'fax' }],
    ['a node of an unknown type', { ...emptyFlow('email'), nodes: [{ id: 'a', type: 'teleport', position: { x: 0, y: 0 }, config: {} }] }],
    ['a node without a position', { ...emptyFlow('email'), nodes: [{ id: 'a', type: 'start', config: {} }] }],
    ['an edge with an unknown result', { ...emptyFlow('email'), edges: [{ id: 'e', source: 'start', target: 'start', result: 'MAYBE' }] }],
    ['an id with a space', { ...emptyFlow('email'), nodes: [{ id: 'a b', type: 'start', position: { x: 0, y: 0 }, config: {} }] }],
    ['an extra top-level property', { ...emptyFlow('email'), extra: true }],
  ])('rejects %s, as validateFlow does with a schema issue', (_what, value) => {
    expect(isFlowDefinitionShape(value)).toBe(false)
    expect(validateFlow(value).map((issue) => issue.code)).toContain('FLOW_SCHEMA')
  })
})
