import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { emptyFlow, type FlowDefinition } from '@replyflow/flow'
import type { Intent } from '../model/intents.ts'
import { useFlowEditorStore } from './flow-editor.ts'

import referenceJson from '../../../../packages/flow/fixtures/reference.flow.json'

const reference = referenceJson as FlowDefinition

function codes(store: ReturnType<typeof useFlowEditorStore>): string[] {
  return store.validateNow().map((issue) => issue.code)
}

describe('flow editor store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('builds the reference flow from intents until it has no issues', () => {
    const store = useFlowEditorStore()
    store.load(emptyFlow('email'))
    const add = (intent: Intent) => {
      const outcome = store.dispatch(intent)
      if (!outcome.ok) throw new Error(outcome.rejection.code)
      return outcome.created[0] ?? ''
    }
    const customer = add({ type: 'add-node', nodeType: 'get_customer_data', position: { x: 240, y: 0 } })
    const check = add({ type: 'add-node', nodeType: 'logic', position: { x: 480, y: 0 } })
    const assign = add({ type: 'add-node', nodeType: 'assign_all_agents', position: { x: 480, y: 160 } })
    const convert = add({ type: 'add-node', nodeType: 'message_conversion', position: { x: 720, y: 0 } })
    const end = add({ type: 'add-node', nodeType: 'end', position: { x: 960, y: 0 } })
    expect([customer, check, assign, convert, end]).toEqual(['get_customer_data', 'logic', 'assign_all_agents', 'message_conversion', 'end'])
    expect(codes(store)).toContain('FLOW_MISSING_EDGE')

    store.dispatch({ type: 'connect', source: 'start', result: 'SUCCESS', target: customer })
    store.dispatch({ type: 'connect', source: customer, result: 'SUCCESS', target: check })
    store.dispatch({ type: 'connect', source: check, result: 'SUCCESS', target: convert })
    store.dispatch({ type: 'connect', source: check, result: 'FALSE', target: assign })
    store.dispatch({ type: 'connect', source: assign, result: 'SUCCESS', target: convert })
    store.dispatch({ type: 'connect', source: convert, result: 'SUCCESS', target: end })
    // The logic node's expression is still empty.
    expect(codes(store)).toEqual(['FLOW_NODE_CONFIG'])

    store.dispatch({ type: 'update-config', nodeId: check, config: { expression: "var_content.contains('refund')" } })
    expect(codes(store)).toEqual([])
    expect(store.definition.edges.map((e) => [e.source, e.result, e.target])).toEqual(
      reference.edges.map((e) => [
        ({ start: 'start', customer, check, assign, convert, end } as Record<string, string>)[e.source],
        e.result,
        ({ start: 'start', customer, check, assign, convert, end } as Record<string, string>)[e.target],
      ]),
    )
  })

  it('reports a var_ prefix issue on the node while the output variable is wrong', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    store.dispatch({ type: 'update-config', nodeId: 'customer', config: { outputs: [{ variable: 'content', category: 'standard', field: 'message.content' }] } })
    store.validateNow()
    expect(store.issuesByNode.get('customer')?.map((issue) => issue.code)).toEqual(['FLOW_VAR_PREFIX'])
    store.dispatch({ type: 'update-config', nodeId: 'customer', config: { outputs: [{ variable: 'var_content', category: 'standard', field: 'message.content' }] } })
    store.validateNow()
    expect(store.issuesByNode.get('customer')).toBeUndefined()
  })

  it('refuses an edge that would close a loop, and leaves the draft as it was', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    const before = store.definition
    const outcome = store.dispatch({ type: 'connect', source: 'convert', result: 'FAILURE', target: 'customer' })
    expect(outcome.ok).toBe(false)
    expect(store.lastRejection?.code).toBe('FLOW_CYCLE')
    expect(store.definition).toBe(before)
    expect(store.canUndo).toBe(false)
  })

  it('refuses a result the node never produces', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    const outcome = store.dispatch({ type: 'connect', source: 'customer', result: 'FALSE', target: 'end' })
    expect(outcome.ok ? null : outcome.rejection).toEqual({ code: 'FLOW_EDGE_RESULT', params: { result: 'FALSE' } })
  })

  it('moves an existing result edge instead of adding a second one', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    store.dispatch({ type: 'connect', source: 'check', result: 'FALSE', target: 'convert' })
    const falseEdges = store.definition.edges.filter((e) => e.source === 'check' && e.result === 'FALSE')
    expect(falseEdges).toEqual([{ id: 'e4', source: 'check', target: 'convert', result: 'FALSE' }])
  })

  it('undoes and redoes every change as definition snapshots', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    store.dispatch({ type: 'remove', nodeIds: ['assign'], edgeIds: [] })
    expect(store.definition.nodes.map((n) => n.id)).not.toContain('assign')
    expect(store.definition.edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e6'])
    store.dispatch({ type: 'move-nodes', positions: { end: { x: 1000, y: 40 } } })
    store.undo()
    expect(store.definition.nodes.find((n) => n.id === 'end')?.position).toEqual({ x: 960, y: 0 })
    store.undo()
    expect(store.definition).toBe(reference)
    expect(store.dirty).toBe(false)
    expect(store.canUndo).toBe(false)
    store.redo()
    expect(store.definition.nodes.map((n) => n.id)).not.toContain('assign')
    expect(store.dirty).toBe(true)
  })

  it('undoes typing in one field as one step, but separate fields separately', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    for (const expression of ['v', 'va', 'var_content']) {
      store.dispatch({ type: 'update-config', nodeId: 'check', config: { expression } }, { coalesceKey: 'check/expression' })
    }
    store.dispatch({ type: 'rename-node', nodeId: 'check', label: 'Refund?' }, { coalesceKey: 'check/label' })
    store.undo()
    expect(store.definition.nodes.find((n) => n.id === 'check')).toMatchObject({ config: { expression: 'var_content' } })
    expect(store.definition.nodes.find((n) => n.id === 'check')?.label).toBeUndefined()
    store.undo()
    expect(store.definition.nodes.find((n) => n.id === 'check')?.config).toEqual({ expression: "var_content.contains('refund')" })
  })

  it('a new change after undo drops the redo branch', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Done' })
    store.undo()
    expect(store.canRedo).toBe(true)
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Finished' })
    expect(store.canRedo).toBe(false)
  })

  it('pastes copies with fresh ids and their inner edges, offset from the originals', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    expect(store.copy(['check', 'assign'])).toBe(2)
    const outcome = store.paste()
    expect(outcome?.ok).toBe(true)
    const added = store.definition.nodes.slice(reference.nodes.length)
    expect(added.map((n) => [n.id, n.position])).toEqual([
      ['logic', { x: 520, y: 40 }],
      ['assign_all_agents', { x: 520, y: 200 }],
    ])
    expect(store.definition.edges.slice(reference.edges.length)).toEqual([{ id: 'e7', source: 'logic', target: 'assign_all_agents', result: 'FALSE' }])
    store.paste()
    expect(store.definition.nodes.find((n) => n.id === 'logic_2')?.position).toEqual({ x: 560, y: 80 })
  })

  it('duplicates a node without touching the clipboard', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    store.duplicate(['customer'])
    expect(store.clipboard).toBeNull()
    const copy = store.definition.nodes.at(-1)
    expect(copy).toMatchObject({ id: 'get_customer_data', type: 'get_customer_data', config: reference.nodes[1]?.config })
  })

  it('copies a version’s node as the version has it, to paste into the draft', () => {
    const store = useFlowEditorStore()
    store.load({ ...reference, nodes: reference.nodes.map((n) => (n.id === 'check' ? { ...n, label: 'Draft label' } : n)) })
    store.showVersion(1, reference)
    expect(store.copy(['check'])).toBe(1)
    store.showDraft()
    store.paste()
    const pasted = store.definition.nodes.find((n) => n.id === 'logic')
    expect(pasted).toMatchObject({ type: 'logic', config: reference.nodes[2]?.config })
    expect(pasted?.label).toBeUndefined()
  })

  it('keeps one Start: a copied Start is left out of a paste or a duplicate while the flow has one, the rest goes in', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    expect(store.copy(['start', 'customer'])).toBe(2)
    const pasted = store.paste()
    expect(pasted).toMatchObject({ ok: true, created: ['get_customer_data'] })
    expect(store.definition.nodes.filter((n) => n.type === 'start')).toHaveLength(1)
    // The edge from the left-out Start goes with it.
    expect(store.definition.edges).toHaveLength(reference.edges.length)

    expect(store.duplicate(['start'])).toMatchObject({ ok: true, created: [] })
    expect(store.definition.nodes).toHaveLength(reference.nodes.length + 1)
    store.undo()
    expect(store.definition).toBe(reference)

    // Without a Start, the pasted one is the flow's Start, with its edge.
    store.dispatch({ type: 'remove', nodeIds: ['start'], edgeIds: [] })
    expect(store.paste()).toMatchObject({ ok: true, created: ['start', 'get_customer_data'] })
    expect(store.definition.edges.filter((e) => e.source === 'start')).toEqual([expect.objectContaining({ target: 'get_customer_data' })])
  })

  it('refuses to add a second Start', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    const outcome = store.dispatch({ type: 'add-node', nodeType: 'start', position: { x: 0, y: 300 } })
    expect(outcome.ok).toBe(false)
    expect(store.lastRejection?.code).toBe('EDITOR_SECOND_START')
    expect(store.definition).toBe(reference)
    store.dispatch({ type: 'remove', nodeIds: ['start'], edgeIds: [] })
    expect(store.dispatch({ type: 'add-node', nodeType: 'start', position: { x: 0, y: 300 } })).toMatchObject({ ok: true, created: ['start'] })
  })

  it('is read-only while showing a version or a comparison', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    store.showVersion(1, reference)
    const outcome = store.dispatch({ type: 'remove', nodeIds: ['end'], edgeIds: [] })
    expect(outcome.ok).toBe(false)
    expect(store.lastRejection?.code).toBe('EDITOR_READ_ONLY')
    store.showDraft()
    expect(store.dispatch({ type: 'remove', nodeIds: ['end'], edgeIds: [] }).ok).toBe(true)
  })

  it('compares two versions, keeping what the newer one removed', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    const v2: FlowDefinition = {
      ...reference,
      nodes: reference.nodes.filter((n) => n.id !== 'assign').map((n) => (n.id === 'check' ? { ...n, config: { expression: 'true' } } : n)),
      edges: reference.edges.filter((e) => e.source !== 'assign' && e.target !== 'assign'),
    }
    store.showComparison({ version: 1, definition: reference }, { version: 2, definition: v2 })
    const view = store.view
    if (view.kind !== 'compare') throw new Error(view.kind)
    expect(Object.fromEntries(view.overlay.nodes)).toEqual({ assign: 'removed', check: 'changed' })
    expect(Object.fromEntries(view.overlay.edges)).toEqual({ e4: 'removed', e5: 'removed' })
    expect(store.displayed.nodes.map((n) => n.id)).toContain('assign')
  })

  it('draws a run path over the nodes and edges it took', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, 0, ms)).toISOString()
    store.showRun('run1', 'succeeded', [
      { nodeId: 'start', result: 'SUCCESS', outputs: {}, error: null, startedAt: at(0), finishedAt: at(1) },
      { nodeId: 'customer', result: 'SUCCESS', outputs: { var_content: 'hi' }, error: null, startedAt: at(1), finishedAt: at(3) },
      { nodeId: 'check', result: 'FALSE', outputs: {}, error: null, startedAt: at(3), finishedAt: at(4) },
      { nodeId: 'assign', result: 'SUCCESS', outputs: {}, error: null, startedAt: at(4), finishedAt: at(9) },
    ])
    expect([...(store.run?.overlay.edges ?? [])]).toEqual(['e1', 'e2', 'e4'])
    expect(store.run?.overlay.nodes.get('assign')).toMatchObject({ order: 4, result: 'SUCCESS', durationMs: 5 })
  })

  it('refuses to import a definition for the other channel', () => {
    const store = useFlowEditorStore()
    store.load(reference)
    const outcome = store.dispatch({ type: 'replace', definition: emptyFlow('sms') })
    expect(outcome.ok ? null : outcome.rejection.code).toBe('EDITOR_IMPORT_CHANNEL')
  })
})
