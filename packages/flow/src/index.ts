/**
 * @replyflow/flow — the flow model and engine. Pure TypeScript with no I/O, so
 * the editor, the API and the worker validate and run flows with the same code.
 */
export {
  CHANNELS,
  FLOW_LIMITS,
  FLOW_TRIGGERS,
  FlowDefinitionSchema,
  FlowEdgeSchema,
  FlowNodeSchema,
  IdSchema,
  NODE_RESULTS,
  NODE_TYPES,
  emptyFlow,
  isFlowDefinitionShape,
} from './definition.ts'
export type { Channel, FlowDefinition, FlowEdge, FlowNode, FlowTrigger, NodeResult, NodeType, Position } from './definition.ts'
export { FLOW_NAME_MAX, PLAIN_LINE_PATTERN, flowNameProblem, isExclusiveTrigger } from './flow-settings.ts'
export type { FlowNameProblem } from './flow-settings.ts'
export { NODE_CATALOG, OutputSchema, RESULT_LABELS, TRIGGER_LABELS } from './catalog.ts'
export type { NodeKind } from './catalog.ts'
export { FIELD_CATEGORIES, LOCALES, STANDARD_FIELDS, VARIABLE_PATTERN, isStandardField } from './fields.ts'
export type { FieldCategory, Labels, Locale, StandardField } from './fields.ts'
export { checkExpression, compileExpression, expressionVariables } from './expression.ts'
export type { CompiledExpression, ExpressionProblem } from './expression.ts'
export { FLOW_ISSUES, isNodeType, isValidFlow, validateFlow, variablesInScope } from './validate.ts'
export type { FlowIssueCode, ValidationIssue } from './validate.ts'
export { RUN_ERRORS, runFlow } from './engine.ts'
export type { Effect, Recipient, RunError, RunErrorCode, RunOptions, RunOutcome, Step } from './engine.ts'
export type { AgentSnapshot, CustomValue, RunContext } from './context.ts'
export { canonicalJson, diffFlows } from './diff.ts'
export type { EdgeChange, FlowDiff, NodeChange } from './diff.ts'
