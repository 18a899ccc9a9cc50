import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Db } from './client.ts'

/** SQLite's default: checkpoint in the committing connection once the WAL holds this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000

export interface BackgroundCheckpointOptions {
  /** Time between passive checkpoints. */
  intervalMs?: number
  /**
   * WAL size past which the connection itself truncates the WAL. Passive
   * checkpoints never block the writer, but under a steady stream of commits
   * the writer never finds the WAL fully copied and keeps appending; this
   * bounds the file at the cost of one short stall (the thread has copied
   * nearly everything already). Done by the writing connection, not the
   * thread: a truncating checkpoint elsewhere holds the write lock, and a
   * transaction that read before writing would fail with SQLITE_BUSY.
   */
  truncateBytes?: number
  /** Told when the checkpoint thread fails; the connection then checkpoints on commit again. */
  onError?: (error: unknown) => void
}

/** A running background checkpointer. */
export interface BackgroundCheckpoints {
  /** Stops the thread; the connection checkpoints on commit again (and when it closes). */
  stop(): Promise<void>
}

// Plain CommonJS, run with `eval` so the production bundle needs no separate
// worker file; better-sqlite3 comes by its resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (error) {
    // A checkpoint that fails (e.g. the disk is full) leaves the WAL as it was: the next tick tries again.
    parentPort.postMessage({ error: String(error) })
  }
}
const timer = setInterval(tick, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  tick()
  db.close()
  parentPort.close()
})
`

/**
 * Moves the WAL checkpoints of a file database off the event loop: by default
 * SQLite copies the WAL into the database file (and syncs it) inside whichever
 * commit crosses 1000 pages, stalling that request — and every request behind
 * it — for milliseconds. Here a worker thread with its own connection does it
 * every `intervalMs` instead, while the connection of `db` only appends.
 */
export function startBackgroundCheckpoints(db: Db, path: string, options: BackgroundCheckpointOptions = {}): BackgroundCheckpoints {
  const intervalMs = options.intervalMs ?? 250
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, path, intervalMs },
  })
  db.$client.pragma('wal_autocheckpoint = 0')
  const truncateBytes = options.truncateBytes ?? 64 * 1024 * 1024
  const bound = setInterval(() => {
    try {
      if ((statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) > truncateBytes) db.$client.pragma('wal_checkpoint(TRUNCATE)')
    } catch (error) {
      // The WAL stays as it was; the next round tries again.
      options.onError?.(error)
    }
  }, 4 * intervalMs)
  bound.unref()
  const restore = () => {
    if (db.$client.open) db.$client.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`)
  }
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  worker.on('message', (message: unknown) => options.onError?.(new Error(`background checkpoint failed: ${JSON.stringify(message)}`)))
  worker.once('error', (error) => {
    // Without the thread the WAL would grow without bound: checkpoint on commit again.
    restore()
    options.onError?.(error)
  })
  // The thread must not keep a process alive that is otherwise done.
  worker.unref()
  return {
    async stop() {
      clearInterval(bound)
      worker.postMessage('stop')
      await exited
      restore()
    },
  }
}
