import { inGroupCommit, markDeliveriesEnqueued, markRunsEnqueued } from '@replyflow/db'
import type { Producer } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'

type HandOverDeps = Pick<AppDeps, 'db' | 'producer' | 'logger' | 'now'>

interface Batch {
  runIds: string[]
  deliveryIds: string[]
  done: Promise<void>
}

// Hand-overs of one producer made in the same turn of the event loop (e.g. the
// webhooks Fastify parsed from one read of the sockets) share one batch.
const collecting = new WeakMap<Producer, Batch>()

async function flush(deps: HandOverDeps, runIds: readonly string[], deliveryIds: readonly string[]): Promise<void> {
  // The marks join the group commit of the moment (claims, reports, webhooks arriving meanwhile): on their
  // own they were a commit each, as many as all the other writes of a run together.
  await Promise.all([
    runIds.length === 0
      ? undefined
      : deps.producer.enqueueRuns(runIds).then(
          () =>
            inGroupCommit(deps.db, (tx) => markRunsEnqueued(tx, runIds, new Date(deps.now()).toISOString())).catch((error: unknown) =>
              // Harmless: the dispatcher hands them over again, and their job ids make that a no-op.
              deps.logger.warn({ err: error, runIds }, 'runs enqueued but not marked so'),
            ),
          (error: unknown) => deps.logger.warn({ err: error, runIds }, 'runs not enqueued; the dispatcher will retry'),
        ),
    deliveryIds.length === 0
      ? undefined
      : deps.producer.enqueueDeliveries(deliveryIds).then(
          () =>
            inGroupCommit(deps.db, (tx) => markDeliveriesEnqueued(tx, deliveryIds, new Date(deps.now()).toISOString())).catch((error: unknown) =>
              deps.logger.warn({ err: error, deliveryIds }, 'deliveries enqueued but not marked so'),
            ),
          (error: unknown) => deps.logger.warn({ err: error, deliveryIds }, 'deliveries not enqueued; the dispatcher will retry'),
        ),
  ])
}

/**
 * Hands committed runs and deliveries to the queue; resolves once they are
 * there (or the attempt failed). Calls made in the same turn of the event loop
 * share one Redis call and one SQLite update. Failures are only logged: the
 * work is safe in SQLite and the dispatcher re-enqueues what never got there.
 */
export function handOver(deps: HandOverDeps, work: { runIds?: readonly string[]; deliveryIds?: readonly string[] }): Promise<void> {
  const { runIds = [], deliveryIds = [] } = work
  if (runIds.length === 0 && deliveryIds.length === 0) return Promise.resolve()
  let batch = collecting.get(deps.producer)
  if (!batch) {
    const next: Batch = {
      runIds: [],
      deliveryIds: [],
      done: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        collecting.delete(deps.producer)
        return flush(deps, next.runIds, next.deliveryIds)
      }),
    }
    collecting.set(deps.producer, next)
    batch = next
  }
  batch.runIds.push(...runIds)
  batch.deliveryIds.push(...deliveryIds)
  return batch.done
}
