/** Runs one batch: the answer for each key, in the order of `keys`. */
export type BatchFunction<K, V> = (keys: K[]) => Promise<V[]>

export interface BatcherOptions {
  /** Largest batch sent at once. */
  maxBatch?: number
  /**
   * Batches in flight at once. While they are all busy, new calls wait and
   * join the next batch: under load batches grow on their own, and an idle
   * worker still answers a lone call after one turn of the event loop.
   */
  maxInFlight?: number
}

interface Pending<K, V> {
  key: K
  resolve: (value: V) => void
  reject: (error: unknown) => void
}

/** Collects single calls into batches (DataLoader-style, without its cache). */
export interface Batcher<K, V> {
  load(key: K): Promise<V>
}

/**
 * Calls made in the same tick share one batch; calls made while
 * `maxInFlight` batches are out share the next one.
 */
export function createBatcher<K, V>(run: BatchFunction<K, V>, options: BatcherOptions = {}): Batcher<K, V> {
  const maxBatch = options.maxBatch ?? 200
  const maxInFlight = options.maxInFlight ?? 1
  let pending: Pending<K, V>[] = []
  let inFlight = 0
  let scheduled = false

  function flush(): void {
    scheduled = false
    while (inFlight < maxInFlight && pending.length > 0) {
      const batch = pending.slice(0, maxBatch)
      pending = pending.slice(maxBatch)
      inFlight++
      void send(batch)
    }
  }

  async function send(batch: Pending<K, V>[]): Promise<void> {
    try {
      const values = await run(batch.map((entry) => entry.key))
      if (values.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${values.length} answers`)
      values.forEach((value, i) => batch[i]?.resolve(value))
    } catch (error) {
      for (const entry of batch) entry.reject(error)
    } finally {
      inFlight--
      flush()
    }
  }

  return {
    load(key) {
      return new Promise<V>((resolve, reject) => {
        pending.push({ key, resolve, reject })
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true
          // setImmediate, not a microtask: jobs started by the same Redis reply land in one batch.
          setImmediate(flush)
        }
      })
    },
  }
}
