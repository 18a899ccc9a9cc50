import { agentSnapshots, findFlow, findRuns, findVersionsByIds, inGroupCommit, updateRun } from '@replyflow/db'
import type { AgentSnapshot, Channel } from '@replyflow/flow'
import type { ClaimedRun } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'
import { buildRunContext } from './run-context.ts'

/**
 * Claims runs for a worker in one transaction: `queued` runs become `running`
 * with their context snapshot taken now; a `running` run (its worker died) is
 * handed out again with the snapshot it already has; finished runs come back
 * as they are, for the worker to skip. Unknown ids are left out. Definitions
 * the worker already caches (`knownVersionIds`) are sent as null; a dry run of
 * a draft sends its own definition. Shares its commit with other writes of the
 * same moment (`inGroupCommit`).
 */
export function claimRuns(deps: Pick<AppDeps, 'db' | 'now'>, runIds: readonly string[], knownVersionIds: readonly string[]): Promise<ClaimedRun[]> {
  return inGroupCommit(deps.db, (tx) => {
    const now = new Date(deps.now()).toISOString()
    const runs = findRuns(tx, [...new Set(runIds)])
    const known = new Set(knownVersionIds)
    const versionIds = new Set(runs.flatMap((run) => (run.versionId && !known.has(run.versionId) ? [run.versionId] : [])))
    const versions = new Map(findVersionsByIds(tx, [...versionIds]).map((v) => [v.id, v]))
    // Read once per batch: every run claimed in this transaction sees the same agents and flows.
    let agents: AgentSnapshot[] | undefined
    const channels = new Map<string, Channel>()
    const channelOf = (flowId: string): Channel => {
      let channel = channels.get(flowId)
      if (!channel) {
        channel = findFlow(tx, flowId)?.channel ?? 'email'
        channels.set(flowId, channel)
      }
      return channel
    }
    return runs.map((run): ClaimedRun => {
      const finished = run.status === 'succeeded' || run.status === 'failed'
      const definition = run.definition ?? (run.versionId ? versions.get(run.versionId)?.definition : undefined) ?? null
      let context = run.context
      if (!context) {
        agents ??= agentSnapshots(tx)
        context = buildRunContext(tx, run, definition?.channel ?? channelOf(run.flowId), agents)
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
        dryRun: run.dryRun,
        status: run.status === 'queued' ? 'running' : run.status,
        definition: finished ? null : definition,
        context,
        resume: run.resume,
      }
    })
  })
}
