import type { Db, Tx } from './client.ts'

/** One piece of a group: its work, and how to settle its promise. */
interface Piece {
  /** Runs the work in the group's transaction; answers how to resolve once the group is committed. */
  run(tx: Tx): () => void
  /** Rejects: the work threw, or the group as a whole failed. */
  fail(error: unknown): void
}

// Work waiting for the next group, per database.
const waiting = new WeakMap<Db, Piece[]>()

/**
 * Commits the pieces of one group: each in a savepoint of one transaction, so
 * a piece that throws is rolled back alone and the others commit together.
 * When SQLite itself abandons the transaction (disk full, I/O error), the
 * whole group fails with that error and nothing of it is stored.
 */
function commitGroup(db: Db, group: readonly Piece[]): void {
  const settle: (() => void)[] = []
  try {
    db.transaction((tx) => {
      for (const piece of group) {
        try {
          // better-sqlite3 runs a transaction function inside a transaction as a savepoint.
          settle.push(db.$client.transaction(() => piece.run(tx))())
        } catch (error) {
          // The savepoint is rolled back; the group goes on — unless SQLite abandoned the whole transaction.
          if (!db.$client.inTransaction) throw error
          settle.push(() => piece.fail(error))
        }
      }
    })
  } catch (error) {
    for (const piece of group) piece.fail(error)
    return
  }
  for (const done of settle) done()
}

/**
 * Runs `work` in a write transaction that it shares with the other work of
 * this database submitted in the same turn of the event loop (e.g. the webhooks
 * parsed from one read of the sockets): one commit for all of them, where the
 * commit, not the work, is the larger cost of a small transaction. Each piece
 * is still all or nothing, and resolves only once the group is committed.
 * `work` must be synchronous, like any better-sqlite3 transaction; and it runs
 * later, in a transaction of its own, so don't call this inside another one.
 *
 * @example
 * const outcome = await inGroupCommit(db, (tx) => storeMail(tx, mail))
 */
export function inGroupCommit<T>(db: Db, work: (tx: Tx) => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let group = waiting.get(db)
    if (!group) {
      const next: Piece[] = []
      waiting.set(db, next)
      group = next
      setImmediate(() => {
        waiting.delete(db)
        commitGroup(db, next)
      })
    }
    group.push({
      run(tx) {
        const value = work(tx)
        return () => resolve(value)
      },
      fail: reject,
    })
  })
}
