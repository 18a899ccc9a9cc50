import type { FlowTrigger } from './definition.ts'

/**
 * Rules on a flow's settings (not its definition) that the editor checks as
 * you type and the API enforces: one source, so they can't drift apart.
 */

/** A flow's name: 1–120 characters (code points, as JSON Schema counts them). */
export const FLOW_NAME_MAX = 120

/** One line of text shown in the UI and in mail headers: no markup, no control characters. */
export const PLAIN_LINE_PATTERN = '^[^<>\\u0000-\\u001f\\u007f]+$'
const PLAIN_LINE = new RegExp(PLAIN_LINE_PATTERN)

/** What is wrong with a flow name (trimmed first), or null when it is fine. */
export type FlowNameProblem = 'nameRequired' | 'nameTooLong' | 'nameCharacters'

export function flowNameProblem(name: string): FlowNameProblem | null {
  const trimmed = name.trim()
  if (trimmed === '') return 'nameRequired'
  if ([...trimmed].length > FLOW_NAME_MAX) return 'nameTooLong'
  if (!PLAIN_LINE.test(trimmed)) return 'nameCharacters'
  return null
}

/** Whether at most one flow with this trigger may be enabled (DESIGN.md §4): all but `manual`. */
export function isExclusiveTrigger(trigger: FlowTrigger): boolean {
  return trigger !== 'manual'
}
