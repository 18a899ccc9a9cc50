import { findFlow, findRuns, findVersionsByIds, updateRun } from '@replyflow/db'
import type { FlowDefinition, RunContext } from '@replyflow/flow'
import type { AppDeps } from '../deps.ts'
import { buildRunContext } from './run-context.ts'

/** A run handed to a worker (docs/internals.md). */
export interface ClaimedRun {
  runId: string
  flowId: string
  versionId: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  definition: FlowDefinition | null
  context: RunContext
  resume: { nodeId: string; variables: Record<string, unknown> } | null
}

/**
 * Claims runs for a worker in one transaction: `queued` runs become `running`
 * with their context snapshot taken now; a `running` run (its worker died) is
 * handed out again with the snapshot it already has; finished runs come back
 * as they are, for the worker to skip. Unknown ids are left out. Definitions
 * the worker already caches (`knownVersionIds`) are sent as null.
 */
export function claimRuns(deps: Pick<AppDeps, 'db' | 'now'>, runIds: readonly string[], knownVersionIds: readonly string[]): ClaimedRun[] {
  return deps.db.transaction((tx) => {
    const now = new Date(deps.now()).toISOString()
    const runs = findRuns(tx, [...new Set(runIds)])
    const known = new Set(knownVersionIds)
    const versions = new Map(findVersionsByIds(tx, [...new Set(runs.map((run) => run.versionId))].filter((id) => !known.has(id))).map((v) => [v.id, v]))
    return runs.map((run): ClaimedRun => {
      const finished = run.status === 'succeeded' || run.status === 'failed'
      let context = run.context
      if (!context) {
        const channel = versions.get(run.versionId)?.definition.channel ?? findFlow(tx, run.flowId)?.channel ?? 'email'
        context = buildRunContext(tx, run, channel)
      }
      if (run.status === 'queued') {
        updateRun(tx, run.id, { status: 'running', startedAt: now, context })
      } else if (run.status === 'running' && !run.context) {
        updateRun(tx, run.id, { context })
      }
      return {
        runId: run.id,
        flowId: run.flowId,
        versionId: run.versionId,
        status: run.status === 'queued' ? 'running' : run.status,
        definition: finished ? null : (versions.get(run.versionId)?.definition ?? null),
        context,
        resume: run.resume,
      }
    })
  })
}
