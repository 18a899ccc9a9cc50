import type { FastifyBaseLogger } from 'fastify'

/** One kind of queued work the dispatcher hands to the queue (runs, deliveries). */
export interface DispatchSource {
  kind: string
  /** Ids of `queued` work never enqueued, or enqueued before `staleBefore` (ISO) and still not claimed; oldest first. */
  due(staleBefore: string, limit: number): string[]
  /** Records that these ids reached the queue at `now` (ISO). */
  markEnqueued(ids: readonly string[], now: string): void
  /** Adds jobs whose ids are these ids, so adding one twice is a no-op. */
  enqueue(ids: readonly string[]): Promise<void>
  /** Like `enqueue`, and retries jobs of these ids that failed for good: the sweep's way, since the database says they are still to do. */
  revive(ids: readonly string[]): Promise<void>
}

export interface DispatcherOptions {
  sources: DispatchSource[]
  logger: FastifyBaseLogger
  /** Clock in ms since the epoch. */
  now: () => number
  /** Time between sweeps. */
  intervalMs?: number
  /** Work enqueued this long ago and still `queued` is enqueued again (Redis may have lost it). */
  staleMs?: number
  /** Most ids one sweep hands over per source. */
  batchSize?: number
}

/** Counts of ids a sweep handed over, by source kind. */
export type SweepResult = Record<string, number>

/**
 * Moves committed `queued` work from SQLite to BullMQ. Callers hand ids over
 * after their transaction commits and do not wait: hand-overs made in the same
 * tick share one Redis call and one SQLite update. If Redis is away the
 * hand-over is only logged, and the periodic sweep retries it, so an outage
 * delays work but loses none. Job ids are the row ids, so repeats are no-ops.
 */
export interface Dispatcher {
  /** Queues ids of a source for hand-over; never throws. */
  handOver(kind: string, ids: readonly string[]): void
  /** Hands over everything due now; resolves with what it handed over. */
  sweep(): Promise<SweepResult>
  /** Starts periodic sweeps (the first one right away). */
  start(): void
  /** Resolves once every hand-over made so far was attempted. */
  idle(): Promise<void>
  /** Stops sweeping and waits for hand-overs in progress. */
  close(): Promise<void>
}

/** Creates a dispatcher over its sources. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { logger, now } = options
  const intervalMs = options.intervalMs ?? 5_000
  const staleMs = options.staleMs ?? 60_000
  const batchSize = options.batchSize ?? 500
  const sources = new Map(options.sources.map((source) => [source.kind, source]))
  const pending = new Map<string, Set<string>>(options.sources.map((source) => [source.kind, new Set<string>()]))
  let flushing: Promise<void> | null = null
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<SweepResult> | null = null
  let closed = false
  /** Logs an outage once, not on every tick, and says when it ends. */
  let failing = false

  async function deliver(source: DispatchSource, ids: string[], mode: 'enqueue' | 'revive'): Promise<boolean> {
    try {
      await (mode === 'revive' ? source.revive(ids) : source.enqueue(ids))
      source.markEnqueued(ids, new Date(now()).toISOString())
      if (failing) logger.info({ kind: source.kind }, 'queue reachable again, dispatching')
      failing = false
      return true
    } catch (error) {
      if (!failing) logger.warn({ err: error, kind: source.kind, count: ids.length }, 'hand-over to the queue failed; the sweep will retry')
      failing = true
      return false
    }
  }

  async function flush(): Promise<void> {
    // Loop: ids handed over during a flush go out in the next round.
    for (;;) {
      const rounds: Promise<boolean>[] = []
      for (const [kind, ids] of pending) {
        const source = sources.get(kind)
        if (!source || ids.size === 0) continue
        const batch = [...ids]
        ids.clear()
        for (let i = 0; i < batch.length; i += batchSize) rounds.push(deliver(source, batch.slice(i, i + batchSize), 'enqueue'))
      }
      if (rounds.length === 0) return
      await Promise.all(rounds)
    }
  }

  function scheduleFlush(): void {
    if (flushing) return
    flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(flush)
      .finally(() => {
        flushing = null
        // Ids added after the last round started but before `flushing` cleared.
        if ([...pending.values()].some((ids) => ids.size > 0)) scheduleFlush()
      })
  }

  async function sweepOnce(): Promise<SweepResult> {
    const result: SweepResult = {}
    const staleBefore = new Date(now() - staleMs).toISOString()
    for (const source of sources.values()) {
      let due: string[]
      try {
        due = source.due(staleBefore, batchSize)
      } catch (error) {
        logger.error({ err: error, kind: source.kind }, 'dispatch sweep could not read queued work')
        continue
      }
      result[source.kind] = due.length > 0 && (await deliver(source, due, 'revive')) ? due.length : 0
    }
    return result
  }

  function sweep(): Promise<SweepResult> {
    // One sweep at a time: a slow one (Redis timing out) must not pile up.
    sweeping ??= sweepOnce().finally(() => {
      sweeping = null
    })
    return sweeping
  }

  function tick(): void {
    void sweep().finally(() => {
      if (closed) return
      timer = setTimeout(tick, intervalMs)
      // The sweep never keeps a process alive on its own.
      timer.unref()
    })
  }

  async function idle(): Promise<void> {
    while (flushing) await flushing
  }

  return {
    handOver(kind, ids) {
      const set = pending.get(kind)
      if (!set) throw new Error(`no dispatch source "${kind}"`)
      if (ids.length === 0) return
      for (const id of ids) set.add(id)
      scheduleFlush()
    },
    sweep,
    start() {
      if (timer || closed) return
      tick()
    },
    idle,
    async close() {
      closed = true
      clearTimeout(timer)
      await idle()
      await sweeping
    },
  }
}
