import { markRunsEnqueued, runsToDispatch, type Db } from '@replyflow/db'
import type { Producer } from '@replyflow/queue'
import type { DispatchSource } from './dispatcher.ts'

/** Source kinds, as passed to `Dispatcher.handOver`. */
export const DISPATCH = { runs: 'runs', deliveries: 'deliveries' } as const

/** Queued runs → the `flow-runs` queue. */
export function runSource(db: Db, producer: Producer): DispatchSource {
  return {
    kind: DISPATCH.runs,
    due: (staleBefore, limit) => runsToDispatch(db, staleBefore, limit),
    markEnqueued: (ids, now) => markRunsEnqueued(db, ids, now),
    enqueue: (ids) => producer.enqueueRuns(ids),
  }
}
