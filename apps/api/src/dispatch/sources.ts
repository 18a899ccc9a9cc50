import { deliveriesToDispatch, markDeliveriesEnqueued, markRunsEnqueued, runsToDispatch, type Db } from '@replyflow/db'
import type { Producer } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'
import { createDispatcher, type Dispatcher, type DispatcherOptions, type DispatchSource } from './dispatcher.ts'

/** Source kinds, as passed to `Dispatcher.handOver`. */
export const DISPATCH = { runs: 'runs', deliveries: 'deliveries' } as const

/** Queued runs → the `flow-runs` queue. */
export function runSource(db: Db, producer: Producer): DispatchSource {
  return {
    kind: DISPATCH.runs,
    due: (staleBefore, limit) => runsToDispatch(db, staleBefore, limit),
    markEnqueued: (ids, now) => markRunsEnqueued(db, ids, now),
    enqueue: (ids) => producer.enqueueRuns(ids),
    revive: (ids) => producer.reviveRuns(ids),
  }
}

/** Queued deliveries → the `mail-out` queue. */
export function deliverySource(db: Db, producer: Producer): DispatchSource {
  return {
    kind: DISPATCH.deliveries,
    due: (staleBefore, limit) => deliveriesToDispatch(db, staleBefore, limit),
    markEnqueued: (ids, now) => markDeliveriesEnqueued(db, ids, now),
    enqueue: (ids) => producer.enqueueDeliveries(ids),
    revive: (ids) => producer.reviveDeliveries(ids),
  }
}

/** The API process's dispatcher over runs and deliveries in its database. */
export function createDbDispatcher(
  deps: Pick<AppDeps, 'db' | 'producer' | 'logger' | 'now'>,
  options: Pick<DispatcherOptions, 'intervalMs' | 'staleMs' | 'batchSize'> = {},
): Dispatcher {
  return createDispatcher({
    ...options,
    sources: [runSource(deps.db, deps.producer), deliverySource(deps.db, deps.producer)],
    logger: deps.logger,
    now: deps.now,
  })
}
