import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { emptyFlow, type FlowDefinition, type ValidationIssue } from '@replyflow/flow'
import { copyFragment, pasteIntent, type Fragment } from '../model/clipboard.ts'
import { diffOverlay, type DiffOverlay } from '../model/diff-overlay.ts'
import { EDITOR_REJECTIONS, applyIntent, issuesOf, knownIssuesOf, type Intent, type IntentOutcome, type Rejection } from '../model/intents.ts'
import { runOverlay, type RunOverlay, type RunStepView } from '../model/run-overlay.ts'

/** Undo keeps this many steps; older ones fall off. */
export const HISTORY_LIMIT = 200
/** Edits of one field closer together than this undo as one step (typing a word is one change). */
export const COALESCE_MS = 1000
/** Validation waits for a pause this long, so typing in a big flow stays smooth. */
export const VALIDATION_DEBOUNCE_MS = 150

/** What the canvas shows: the editable draft, a version read-only, a draft as a dry run tested it (read-only), or two versions compared. */
export type CanvasView =
  | { kind: 'draft' }
  | { kind: 'version'; version: number; definition: FlowDefinition }
  | { kind: 'tested'; definition: FlowDefinition }
  | { kind: 'compare'; from: number; to: number; overlay: DiffOverlay }

/** A run drawn over the canvas. */
export interface RunView {
  runId: string
  status: string
  steps: readonly RunStepView[]
  overlay: RunOverlay
}

export interface DispatchOptions {
  /** Consecutive intents with the same key (within COALESCE_MS) undo as one step. */
  coalesceKey?: string
}

/**
 * The open flow: its draft definition (the source of truth the canvas
 * projects), undo/redo as a history of definition snapshots, live issues from
 * `validateFlow`, and what is overlaid on the canvas (a version, a diff, a run).
 * No I/O: loading and saving are the views' business.
 */
export const useFlowEditorStore = defineStore('flow-editor', () => {
  const definition = shallowRef<FlowDefinition>(emptyFlow('email'))
  const past = shallowRef<FlowDefinition[]>([])
  const future = shallowRef<FlowDefinition[]>([])
  const savedDefinition = shallowRef<FlowDefinition>(definition.value)
  const view = shallowRef<CanvasView>({ kind: 'draft' })
  const run = shallowRef<RunView | null>(null)
  const lastRejection = shallowRef<Rejection | null>(null)
  const openNodeId = ref<string | null>(null)
  const clipboard = shallowRef<Fragment | null>(null)
  let pasteCount = 0
  let coalesce: { key: string; at: number } | null = null

  const issues = shallowRef<ValidationIssue[]>(issuesOf(definition.value))
  /** The definition `issues` were found in: while it is not the draft, the issues are not current. */
  const validatedDefinition = shallowRef<FlowDefinition>(definition.value)
  let validationTimer: ReturnType<typeof setTimeout> | undefined

  function setIssues(of: FlowDefinition, found: ValidationIssue[]): void {
    issues.value = found
    validatedDefinition.value = of
  }

  function scheduleValidation(next: FlowDefinition, delay = VALIDATION_DEBOUNCE_MS): void {
    clearTimeout(validationTimer)
    const known = knownIssuesOf(next)
    if (known) {
      setIssues(next, known)
      return
    }
    validationTimer = setTimeout(() => {
      const current = definition.value
      setIssues(current, issuesOf(current))
    }, delay)
  }

  /** Validates the draft right now (before publishing, or in tests). */
  function validateNow(): ValidationIssue[] {
    clearTimeout(validationTimer)
    const current = definition.value
    setIssues(current, issuesOf(current))
    return issues.value
  }

  const readOnly = computed(() => view.value.kind !== 'draft')
  const displayed = computed<FlowDefinition>(() => {
    const current = view.value
    if (current.kind === 'version' || current.kind === 'tested') return current.definition
    if (current.kind === 'compare') return current.overlay.definition
    return definition.value
  })
  const issuesByNode = computed(() => {
    const byNode = new Map<string, ValidationIssue[]>()
    for (const issue of issues.value) {
      if (issue.nodeId === undefined) continue
      byNode.set(issue.nodeId, [...(byNode.get(issue.nodeId) ?? []), issue])
    }
    return byNode
  })
  /** Whether `issues` describe the draft as it is now (validation is debounced). */
  const issuesCurrent = computed(() => validatedDefinition.value === definition.value)
  const canUndo = computed(() => !readOnly.value && past.value.length > 0)
  const canRedo = computed(() => !readOnly.value && future.value.length > 0)
  const dirty = computed(() => definition.value !== savedDefinition.value)

  function setDefinition(next: FlowDefinition): void {
    definition.value = next
    scheduleValidation(next)
    if (openNodeId.value !== null && !next.nodes.some((node) => node.id === openNodeId.value)) openNodeId.value = null
  }

  /** Starts editing a flow's draft: history cleared, nothing overlaid. */
  function load(draft: FlowDefinition): void {
    past.value = []
    future.value = []
    coalesce = null
    view.value = { kind: 'draft' }
    run.value = null
    openNodeId.value = null
    lastRejection.value = null
    savedDefinition.value = draft
    definition.value = draft
    // A moment after the first paint: a big flow shows before its issues are known.
    scheduleValidation(draft)
  }

  /** Applies an intent to the draft; a refused intent changes nothing and is kept in `lastRejection`. */
  function dispatch(intent: Intent, options: DispatchOptions = {}): IntentOutcome {
    if (readOnly.value) {
      const outcome: IntentOutcome = { ok: false, rejection: { code: EDITOR_REJECTIONS.readOnly, params: {} } }
      lastRejection.value = outcome.rejection
      return outcome
    }
    const outcome = applyIntent(definition.value, intent)
    if (!outcome.ok) {
      lastRejection.value = outcome.rejection
      return outcome
    }
    lastRejection.value = null
    if (outcome.definition === definition.value) return outcome
    const now = Date.now()
    const merges = options.coalesceKey !== undefined && coalesce?.key === options.coalesceKey && now - coalesce.at < COALESCE_MS
    if (!merges) past.value = [...past.value.slice(-(HISTORY_LIMIT - 1)), definition.value]
    coalesce = options.coalesceKey === undefined ? null : { key: options.coalesceKey, at: now }
    future.value = []
    setDefinition(outcome.definition)
    return outcome
  }

  function undo(): void {
    const previous = past.value.at(-1)
    if (!previous || readOnly.value) return
    past.value = past.value.slice(0, -1)
    future.value = [definition.value, ...future.value]
    coalesce = null
    setDefinition(previous)
  }

  function redo(): void {
    const [next, ...rest] = future.value
    if (!next || readOnly.value) return
    future.value = rest
    past.value = [...past.value, definition.value]
    coalesce = null
    setDefinition(next)
  }

  /** Remembers the selected nodes (and the edges between them) for paste, as shown: a version read-only copies that version's nodes. */
  function copy(nodeIds: Iterable<string>): number {
    const fragment = copyFragment(displayed.value, nodeIds)
    if (fragment.nodes.length === 0) return 0
    clipboard.value = fragment
    pasteCount = 0
    return fragment.nodes.length
  }

  /** Pastes the clipboard, each paste a step further from the original. */
  function paste(): IntentOutcome | null {
    if (!clipboard.value) return null
    pasteCount += 1
    return dispatch(pasteIntent(definition.value, clipboard.value, pasteCount))
  }

  /** Copies and pastes in one go, leaving the clipboard as it was. */
  function duplicate(nodeIds: Iterable<string>): IntentOutcome | null {
    const fragment = copyFragment(definition.value, nodeIds)
    if (fragment.nodes.length === 0) return null
    return dispatch(pasteIntent(definition.value, fragment))
  }

  /** The server stored this definition as the draft. */
  function markSaved(saved: FlowDefinition): void {
    savedDefinition.value = saved
  }

  function showDraft(): void {
    view.value = { kind: 'draft' }
  }

  function showVersion(version: number, versionDefinition: FlowDefinition): void {
    openNodeId.value = null
    view.value = { kind: 'version', version, definition: versionDefinition }
  }

  /** Shows, read-only, the draft as a dry run tested it (the draft may have changed since). */
  function showTested(testedDefinition: FlowDefinition): void {
    openNodeId.value = null
    view.value = { kind: 'tested', definition: testedDefinition }
  }

  function showComparison(from: { version: number; definition: FlowDefinition }, to: { version: number; definition: FlowDefinition }): void {
    openNodeId.value = null
    run.value = null
    view.value = { kind: 'compare', from: from.version, to: to.version, overlay: diffOverlay(from.definition, to.definition) }
  }

  /** Draws a run's path over the definition it ran on. */
  function showRun(runId: string, status: string, steps: readonly RunStepView[]): void {
    run.value = { runId, status, steps, overlay: runOverlay(displayed.value, steps) }
  }

  function clearRun(): void {
    run.value = null
  }

  return {
    definition,
    displayed,
    issues,
    issuesCurrent,
    issuesByNode,
    view,
    run,
    readOnly,
    lastRejection,
    openNodeId,
    canUndo,
    canRedo,
    dirty,
    clipboard,
    load,
    dispatch,
    undo,
    redo,
    copy,
    paste,
    duplicate,
    validateNow,
    markSaved,
    showDraft,
    showVersion,
    showTested,
    showComparison,
    showRun,
    clearRun,
  }
})

export type FlowEditorStore = ReturnType<typeof useFlowEditorStore>
