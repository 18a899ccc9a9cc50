import { FLOW_LIMITS } from '@replyflow/flow'
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

/**
 * Imports a flow file as a new, disabled flow whose draft is the file's definition.
 * The file is never trusted: its shape was checked by the route's schema; here
 * the definition must also pass the validator (which refuses markup too), or nothing is stored.
 */
export function importFlow(deps: Pick<AppDeps, 'db' | 'now'>, file: FlowExport) {
  if (file.definition.nodes.length > FLOW_LIMITS.nodes) throw new ApiError(422, 'API_IMPORT_TOO_LARGE', 'the flow has too many nodes')
  const issues = issuesOf({ channel: file.channel }, file.definition)
  if (issues.length > 0) {
    throw new ApiError(422, 'API_IMPORT_INVALID', `the file's flow has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was imported`, issues)
  }
  return createFlow(deps, { name: file.name, channel: file.channel, trigger: file.trigger, draft: file.definition })
}
