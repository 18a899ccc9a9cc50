import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import type { FlowDefinition } from '@replyflow/flow'
import referenceJson from '../../../../packages/flow/fixtures/reference.flow.json'
import { ApiError } from '../api/client.ts'
import { useFlowEditorStore } from '../stores/flow-editor.ts'
import { mountInApp } from '../test-utils.ts'
import { AUTOSAVE_DELAY_MS, AUTOSAVE_MAX_WAIT_MS, useDraftAutosave } from './useDraftAutosave.ts'

const reference = referenceJson as FlowDefinition

/** Mounts a component that autosaves through `save`; returns the store and the autosave state. */
function setup(save: (definition: FlowDefinition) => Promise<void>) {
  let autosave!: ReturnType<typeof useDraftAutosave>
  const Host = defineComponent({
    setup() {
      const store = useFlowEditorStore()
      store.load(reference)
      autosave = useDraftAutosave(store, save)
      return () => h('div')
    },
  })
  const wrapper = mountInApp(Host)
  return { wrapper, store: useFlowEditorStore(), autosave }
}

describe('draft autosave', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('saves once after a burst of changes, with the latest definition, and says so', async () => {
    const saved: FlowDefinition[] = []
    const { store, autosave } = setup(async (definition) => void saved.push(definition))
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'D' })
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Done' })
    await nextTick()
    expect(autosave.state.value).toBe('unsaved')
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS)
    expect(saved).toHaveLength(1)
    expect(saved[0]?.nodes.find((node) => node.id === 'end')?.label).toBe('Done')
    expect(autosave.state.value).toBe('saved')
    expect(store.dirty).toBe(false)
  })

  it('saves during steady editing too, at most every few seconds', async () => {
    const saved: FlowDefinition[] = []
    const { store } = setup(async (definition) => void saved.push(definition))
    for (let i = 0; i < 10; i++) {
      store.dispatch({ type: 'move-nodes', positions: { end: { x: 1000 + i, y: 0 } } })
      await nextTick()
      await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS / 2)
    }
    expect(saved.length).toBeGreaterThanOrEqual(1)
    expect(10 * (AUTOSAVE_DELAY_MS / 2)).toBeGreaterThan(AUTOSAVE_MAX_WAIT_MS)
  })

  it('shows a failed save, and saves again when asked', async () => {
    let fail = true
    const saved: FlowDefinition[] = []
    const { store, autosave } = setup(async (definition) => {
      if (fail) throw new Error('offline')
      saved.push(definition)
    })
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Done' })
    await nextTick()
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS)
    expect(autosave.state.value).toBe('error')
    expect(store.dirty).toBe(true)
    fail = false
    await autosave.flush()
    expect(autosave.state.value).toBe('saved')
    expect(saved).toHaveLength(1)
  })

  it('does not save an undo back to what was saved', async () => {
    const saved: FlowDefinition[] = []
    const { store, autosave } = setup(async (definition) => void saved.push(definition))
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Done' })
    store.undo()
    await nextTick()
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS * 2)
    expect(saved).toHaveLength(0)
    expect(autosave.state.value).toBe('saved')
  })

  it('stops saving on a conflict (changed elsewhere) and never says saved, until resumed', async () => {
    let conflicting = true
    const saved: FlowDefinition[] = []
    const { store, autosave } = setup(async (definition) => {
      if (conflicting) throw new ApiError(409, { code: 'API_DRAFT_CONFLICT', message: 'changed elsewhere', details: { draftUpdatedAt: 'x' } })
      saved.push(definition)
    })
    const attempts = vi.fn()
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Done' })
    await nextTick()
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS)
    expect(autosave.state.value).toBe('conflict')
    conflicting = false
    // More edits: still no save, and the indicator keeps the conflict.
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Done!' })
    await nextTick()
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MAX_WAIT_MS * 2)
    expect(saved).toHaveLength(0)
    expect(autosave.state.value).toBe('conflict')
    await autosave.flush().catch(attempts)
    expect(attempts).toHaveBeenCalledWith(expect.objectContaining({ code: 'API_DRAFT_CONFLICT' }))
    expect(saved).toHaveLength(0)
    // The latest draft loaded: saving goes on.
    store.load(reference)
    autosave.resume()
    expect(autosave.state.value).toBe('saved')
    store.dispatch({ type: 'rename-node', nodeId: 'end', label: 'Again' })
    await nextTick()
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS)
    expect(saved).toHaveLength(1)
    expect(autosave.state.value).toBe('saved')
  })
})
