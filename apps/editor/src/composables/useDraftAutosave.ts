import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import type { FlowDefinition } from '@replyflow/flow'
import type { FlowEditorStore } from '../stores/flow-editor.ts'

/** Saving waits for a pause this long after the last change, so a drag or a word is one request… */
export const AUTOSAVE_DELAY_MS = 700
/** …but never longer than this after the first unsaved change, so steady editing is saved too. */
export const AUTOSAVE_MAX_WAIT_MS = 3000

export type SaveState = 'saved' | 'saving' | 'unsaved' | 'error'

/**
 * Saves the draft a moment after each change, one request at a time, and
 * reports a state the toolbar shows. `flush()` saves now (before publishing).
 */
export function useDraftAutosave(
  store: FlowEditorStore,
  save: (definition: FlowDefinition) => Promise<void>,
): { state: Ref<SaveState>; flush: () => Promise<void> } {
  const state = ref<SaveState>('saved')
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight: Promise<void> | null = null
  let unsavedSince: number | null = null
  // After unmount the store may already hold another flow: never mark or reschedule it.
  let disposed = false

  async function saveDefinition(definition: FlowDefinition): Promise<void> {
    state.value = 'saving'
    try {
      await save(definition)
      if (disposed) return
      store.markSaved(definition)
      state.value = store.dirty ? 'unsaved' : 'saved'
    } catch (error) {
      if (!disposed) state.value = 'error'
      throw error
    }
  }

  /** Saves what is unsaved now (captured at the call), after any save already under way. */
  async function flush(): Promise<void> {
    clearTimeout(timer)
    const definition = store.definition
    const dirty = store.dirty
    while (inFlight) await inFlight
    if (!dirty) {
      if (!disposed && !store.dirty) state.value = 'saved'
      return
    }
    inFlight = saveDefinition(definition).finally(() => {
      inFlight = null
    })
    await inFlight
    if (!disposed && store.dirty) schedule()
  }

  function schedule(): void {
    clearTimeout(timer)
    unsavedSince ??= Date.now()
    const delay = Math.min(AUTOSAVE_DELAY_MS, Math.max(0, unsavedSince + AUTOSAVE_MAX_WAIT_MS - Date.now()))
    timer = setTimeout(() => {
      unsavedSince = null
      // The state shows the failure and offers a retry; nothing else to do here.
      flush().catch(() => undefined)
    }, delay)
  }

  watch(
    () => store.definition,
    () => {
      if (!store.dirty) {
        if (!inFlight) state.value = 'saved'
        return
      }
      state.value = 'unsaved'
      schedule()
    },
  )

  onBeforeUnmount(() => {
    // Leaving the flow: save what is left right away rather than lose it.
    if (store.dirty) flush().catch(() => undefined)
    clearTimeout(timer)
    disposed = true
  })

  return { state, flush }
}
