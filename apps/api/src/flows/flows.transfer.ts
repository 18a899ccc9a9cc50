import { FLOW_LIMITS, type FlowDefinition } from '@replyflow/flow'
import type { Static } from 'typebox'
import type { AppDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { createFlow, findVersionOf, getFlow, issuesOf } from './flows.service.ts'
import { FLOW_EXPORT_FORMAT, type FlowExportSchema } from './flows.schemas.ts'

type FlowExport = Static<typeof FlowExportSchema>

/** A flow as a portable file: its settings and its active definition (or the draft before the first publish). */
export function exportFlow(deps: Pick<AppDeps, 'db' | 'now'>, id: string): FlowExport {
  const flow = getFlow(deps.db, id)
  const definition = flow.activeVersion === null ? flow.draft : findVersionOf(deps.db, flow).definition
  return {
    format: FLOW_EXPORT_FORMAT,
    formatVersion: 1,
    name: flow.name,
    channel: flow.channel,
    trigger: flow.trigger,
    definition,
    exportedAt: new Date(deps.now()).toISOString(),
  }
}

// Markup has no business in labels or configuration strings; refusing it keeps
// an imported file from carrying script into any screen that shows it.
// CEL expressions are exempt: `a<b` is a comparison there, and the CEL parser has checked them.
const MARKUP = /<\s*\/?\s*[a-z!?]|javascript:|\bon[a-z]+\s*=/i
const EXEMPT_KEYS = new Set(['expression'])

function markupIssues(definition: FlowDefinition): { code: string; nodeId?: string; message: string }[] {
  const issues: { code: string; nodeId?: string; message: string }[] = []
  for (const node of definition.nodes) {
    const strings = [node.label ?? '', ...stringsIn(node.config, 0)]
    if (strings.some((value) => MARKUP.test(value))) {
      issues.push({ code: 'API_IMPORT_MARKUP', nodeId: node.id, message: `node "${node.id}" carries markup in its label or configuration` })
    }
  }
  return issues
}

function stringsIn(value: unknown, depth: number): string[] {
  if (typeof value === 'string') return [value]
  if (depth > 8 || value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, item]) => (EXEMPT_KEYS.has(key) ? [key] : [key, ...stringsIn(item, depth + 1)]))
}

/**
 * Imports a flow file as a new, disabled flow whose draft is the file's definition.
 * The file is never trusted: its shape was checked by the route's schema; here
 * the definition must also pass the validator and carry no markup, or nothing is stored.
 */
export function importFlow(deps: Pick<AppDeps, 'db' | 'now'>, file: FlowExport) {
  if (file.definition.nodes.length > FLOW_LIMITS.nodes) throw new ApiError(422, 'API_IMPORT_TOO_LARGE', 'the flow has too many nodes')
  const issues = [...issuesOf({ channel: file.channel }, file.definition), ...markupIssues(file.definition)]
  if (issues.length > 0) {
    throw new ApiError(422, 'API_IMPORT_INVALID', `the file's flow has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was imported`, issues)
  }
  return createFlow(deps, { name: file.name, channel: file.channel, trigger: file.trigger, draft: file.definition })
}
