import type { InjectionKey, Ref } from 'vue'
import type { Locale } from '@replyflow/flow'
import type { Translate } from '../../model/node-summary.ts'

/**
 * What every node on the canvas needs from i18n, looked up once by the canvas
 * rather than by each of (possibly) hundreds of nodes.
 */
export interface CanvasContext {
  locale: Ref<Locale>
  t: Translate
  /** Accessible names of handles, from templates translated once per language. */
  handleLabels: Ref<{ input: (node: string) => string; output: (result: string, node: string) => string }>
  describeIssue: (issue: { code: string; params?: Record<string, string> }) => string
  /** Agents by id, so a run's outputs name people rather than ids. */
  agentNames: Ref<ReadonlyMap<string, string>>
}

export const CANVAS_CONTEXT: InjectionKey<CanvasContext> = Symbol('canvas-context')
