import { runFlow } from '@replyflow/flow'
import { FINISHED_RUN_STATUSES, type RunFlowJob } from '@replyflow/queue'
import { UnrecoverableError, type Job } from 'bullmq'
import type { Logger } from 'pino'
import { ApiRequestError, type ApiClient } from './api-client.ts'
import type { WorkerMetrics } from './metrics.ts'
import { UnknownWorkError } from './unknown-work.ts'

export interface FlowRunDeps {
  api: ApiClient
  logger: Logger
  metrics: WorkerMetrics
  /** Clock for step timestamps, in ms since the epoch. */
  now: () => number
}

/** What happened to one run job, for logs and tests. */
export type FlowRunResult = 'succeeded' | 'skipped'

/**
 * Executes one `run-flow` job: claim the run (its context and, unless cached,
 * its version), step it with the engine, report steps and effects in one call.
 * A run that fails for a user reason (its flow) is reported failed and its job
 * fails without retry; API and Redis trouble is rethrown for BullMQ to retry.
 */
export function createFlowRunProcessor(deps: FlowRunDeps) {
  return async function processFlowRun(job: Job<RunFlowJob, void, string>): Promise<FlowRunResult> {
    const { runId } = job.data
    let log = deps.logger.child({ runId, jobId: job.id })
    const started = performance.now()
    const claimed = await userFailureOnBadRequest(deps.api.claimRun(runId))
    if (!claimed) throw new UnknownWorkError('run', runId)
    if (claimed.context.conversation.id) log = log.child({ conversationId: claimed.context.conversation.id })
    if (claimed.dryRun) log = log.child({ dryRun: true })
    if (FINISHED_RUN_STATUSES.has(claimed.status)) {
      // Another attempt already finished it (e.g. a worker killed after reporting): never run twice.
      log.info({ status: claimed.status }, 'run already finished, skipped')
      return 'skipped'
    }
    // Operational, not the user's fault: retrying claims again without the cache's say-so.
    if (!claimed.definition) throw new Error(`version ${claimed.versionId} of run ${runId} left the cache before use`)
    const outcome = runFlow(claimed.definition, claimed.context, { now: deps.now, resume: claimed.resume ?? undefined })
    const status = await userFailureOnBadRequest(
      deps.api.reportRun({ runId, status: outcome.status, steps: outcome.steps, effects: outcome.effects, error: outcome.error }),
    )
    deps.metrics.runSeconds.observe({ status: outcome.status }, (performance.now() - started) / 1_000)
    deps.metrics.runDuration.observe({ status: outcome.status }, Math.max(0, deps.now() - job.timestamp) / 1_000)
    log.debug({ status, steps: outcome.steps.length, effects: outcome.effects.length }, 'run reported')
    if (outcome.error) {
      throw new UnrecoverableError(`${outcome.error.code}: ${outcome.error.message}`)
    }
    return 'succeeded'
  }
}

/** A request the API refused as malformed will be refused again: fail the job without retrying. */
export async function userFailureOnBadRequest<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof ApiRequestError) throw new UnrecoverableError(error.message)
    throw error
  }
}
