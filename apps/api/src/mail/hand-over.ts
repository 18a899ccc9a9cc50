import { markDeliveriesEnqueued, markRunsEnqueued } from '@replyflow/db'
import type { AppDeps } from '../deps.ts'

/**
 * Hands committed runs and deliveries to the queue. Failures are only logged:
 * the work is safe in SQLite and the dispatcher re-enqueues what never got there.
 */
export async function handOver(deps: Pick<AppDeps, 'db' | 'producer' | 'logger' | 'now'>, work: { runIds?: readonly string[]; deliveryIds?: readonly string[] }): Promise<void> {
  const { runIds = [], deliveryIds = [] } = work
  await Promise.all([
    runIds.length === 0
      ? undefined
      : deps.producer.enqueueRuns(runIds).then(
          () => markRunsEnqueued(deps.db, runIds, new Date(deps.now()).toISOString()),
          (error: unknown) => deps.logger.warn({ err: error, runIds }, 'runs not enqueued; the dispatcher will retry'),
        ),
    deliveryIds.length === 0
      ? undefined
      : deps.producer.enqueueDeliveries(deliveryIds).then(
          () => markDeliveriesEnqueued(deps.db, deliveryIds, new Date(deps.now()).toISOString()),
          (error: unknown) => deps.logger.warn({ err: error, deliveryIds }, 'deliveries not enqueued; the dispatcher will retry'),
        ),
  ])
}
