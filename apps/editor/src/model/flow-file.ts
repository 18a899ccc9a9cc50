import { FLOW_ISSUES, isFlowDefinitionShape, validateFlow, type FlowDefinition, type ValidationIssue } from '@replyflow/flow'

/** A flow definition as a downloadable JSON file (the format of DESIGN.md §4). */
export function exportFlowFile(definition: FlowDefinition): string {
  return `${JSON.stringify(definition, null, 2)}\n`
}

/**
 * Reads an exported file back. Only its shape is checked here (the same JSON
 * Schema the API uses); every other rule shows in the issues list once imported.
 */
export function parseFlowFile(text: string): { ok: true; definition: FlowDefinition } | { ok: false; issues: ValidationIssue[] } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return { ok: false, issues: [{ code: FLOW_ISSUES.schema, message: detail, params: { path: '/', detail } }] }
  }
  if (isFlowDefinitionShape(parsed)) return { ok: true, definition: parsed }
  // Without the shape, validateFlow answers with the schema issues alone: each names its path.
  return { ok: false, issues: validateFlow(parsed) }
}
