import type { InjectionKey, Ref } from 'vue'
import type { Channel, ValidationIssue } from '@replyflow/flow'
import type { FieldPath } from '../../model/schema-form.ts'

/** What every field of a node's config form needs from the panel. */
export interface ConfigFormContext {
  nodeId: Ref<string>
  channel: Ref<Channel>
  /** `var_` variables defined on every path into the node. */
  scope: Ref<readonly string[]>
  /** The node's current issues, for inline errors. */
  issues: Ref<readonly ValidationIssue[]>
  readOnly: Ref<boolean>
  update: (path: FieldPath, value: unknown) => void
}

export const CONFIG_FORM: InjectionKey<ConfigFormContext> = Symbol('config-form')
