import type { Producer } from '@replyflow/queue'

/** How long a request waits for Redis to take its work before answering anyway. */
export const HAND_OVER_TIMEOUT_MS = 3_000

function bounded<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms (is Redis reachable?)`)), timeoutMs)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/**
 * A producer whose hand-overs fail after `timeoutMs` instead of waiting:
 * BullMQ waits for a connection that was never ready (Redis down at start)
 * without limit, which would hang every request that hands work over. The work
 * is safe in SQLite; the dispatcher hands it over once Redis answers.
 */
export function boundedProducer(producer: Producer, timeoutMs = HAND_OVER_TIMEOUT_MS): Producer {
  return {
    enqueueRuns: (runIds) => bounded(producer.enqueueRuns(runIds), timeoutMs, 'enqueueing runs'),
    enqueueDeliveries: (deliveryIds) => bounded(producer.enqueueDeliveries(deliveryIds), timeoutMs, 'enqueueing deliveries'),
    reviveRuns: (runIds) => bounded(producer.reviveRuns(runIds), timeoutMs, 'reviving runs'),
    reviveDeliveries: (deliveryIds) => bounded(producer.reviveDeliveries(deliveryIds), timeoutMs, 'reviving deliveries'),
    jobFates: (queue, ids) => bounded(producer.jobFates(queue, ids), timeoutMs, 'reading job states'),
    rehand: (queue, ids) => bounded(producer.rehand(queue, ids), timeoutMs, 'handing over again'),
    close: () => producer.close(),
  }
}
