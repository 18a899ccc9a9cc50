import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import type { FlowDefinition } from '@replyflow/flow'
import { ApiError } from '../api/client.ts'
import type { FlowEditorStore } from '../stores/flow-editor.ts'

/** Saving waits for a pause this long after the last change, so a drag or a word is one request… */
export const AUTOSAVE_DELAY_MS = 700
/** …but never longer than this after the first unsaved change, so steady editing is saved too. */
export const AUTOSAVE_MAX_WAIT_MS = 3000

/** `conflict`: the server's draft changed elsewhere (another tab, another admin); saving stopped. */
export type SaveState = 'saved' | 'saving' | 'unsaved' | 'error' | 'conflict'

/** The API's answer to a save on a stale `baseUpdatedAt`: the draft was changed elsewhere. */
export const isDraftConflict = (error: unknown): error is ApiError => error instanceof ApiError && error.code === 'API_DRAFT_CONFLICT'

/**
 * Saves the draft a moment after each change, one request at a time, and
 * reports a state the toolbar shows. `flush()` saves now (before publishing).
 * A save refused as a conflict (`isDraftConflict`) stops saving: state
 * `conflict`, and `flush()` rejects with that error, until `resume()` after the
 * latest draft is loaded. `conflict(error)` enters that state from outside (publishing).
 */
export function useDraftAutosave(
  store: FlowEditorStore,
  save: (definition: FlowDefinition) => Promise<void>,
): { state: Ref<SaveState>; flush: () => Promise<void>; conflict: (error: ApiError) => void; resume: () => void } {
  const state = ref<SaveState>('saved')
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight: Promise<void> | null = null
  let unsavedSince: number | null = null
  // After unmount the store may already hold another flow: never mark or reschedule it.
  let disposed = false
  /** The refusal that stopped saving: nothing is sent until `resume()`. */
  let stopped: ApiError | null = null

  function conflict(error: ApiError): void {
    stopped = error
    clearTimeout(timer)
    unsavedSince = null
    if (!disposed) state.value = 'conflict'
  }

  function resume(): void {
    stopped = null
    unsavedSince = null
    if (!disposed) state.value = store.dirty ? 'unsaved' : 'saved'
    if (store.dirty) schedule()
  }

  async function saveDefinition(definition: FlowDefinition): Promise<void> {
    state.value = 'saving'
    try {
      await save(definition)
      if (disposed) return
      store.markSaved(definition)
      state.value = store.dirty ? 'unsaved' : 'saved'
    } catch (error) {
      if (isDraftConflict(error)) conflict(error)
      else if (!disposed) state.value = 'error'
      throw error
    }
  }

  /** Saves what is unsaved now (captured at the call), after any save already under way. */
  async function flush(): Promise<void> {
    clearTimeout(timer)
    if (stopped) throw stopped
    const definition = store.definition
    const dirty = store.dirty
    while (inFlight) await inFlight
    if (stopped) throw stopped
    if (!dirty) {
      if (!disposed && !store.dirty) state.value = 'saved'
      return
    }
    inFlight = saveDefinition(definition).finally(() => {
      inFlight = null
    })
    await inFlight
    if (!disposed && store.dirty && !stopped) schedule()
  }

  function schedule(): void {
    clearTimeout(timer)
    if (stopped) return
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
      // Stopped by a conflict: the indicator keeps saying so, whatever is edited.
      if (stopped) return
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
    if (store.dirty && !stopped) flush().catch(() => undefined)
    clearTimeout(timer)
    disposed = true
  })

  return { state, flush, conflict, resume }
}
