import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate as runMigrations } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.ts'

/** The drizzle database of Replyflow, with its schema. */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** The transaction object drizzle passes to `db.transaction(...)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** A database or a transaction: repositories accept either. */
export type DbOrTx = Db | Tx

/** Where the generated, committed migrations live. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url))

/**
 * Opens (creating if needed, folder included, readable by this user only) the
 * SQLite file at `path` with WAL, foreign keys and a busy timeout, so
 * concurrent readers never block the writer and a second writer waits instead of failing.
 */
export function createDb(path: string): Db {
  const fresh = path !== ':memory:' && !existsSync(path)
  // Private to the service's user: the file holds password hashes and customers' mail.
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 })
  const sqlite = new Database(path)
  // Before the WAL and shared-memory files exist: SQLite gives them the database's mode. An existing file keeps its owner's choice.
  if (fresh) chmodSync(path, 0o600)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // In WAL mode NORMAL syncs at checkpoints, not at every commit. A committed
  // transaction is in the WAL file, so it survives a crash or kill of this
  // process ("a webhook answered 200 is in the database", DESIGN.md §5); only an
  // OS crash or power loss may lose the last commits. FULL would fsync each one.
  sqlite.pragma('synchronous = NORMAL')
  // Temp files in memory: above all the statement journal of every savepoint (each
  // piece of a group commit and each run report is one), which SQLite would
  // otherwise write to a temp file — a copy of each page a savepoint changes, a
  // third of the hot path's SQLite CPU in syscalls. That journal only serves to
  // roll a savepoint back inside a live transaction; crash recovery never reads
  // it (the WAL does that), so durability is unchanged. Its size is bounded by
  // the pages one short write transaction touches.
  sqlite.pragma('temp_store = MEMORY')
  return drizzle({ client: sqlite, schema, casing: 'snake_case' })
}

/**
 * Applies every pending migration (idempotent; run at start). Foreign keys are
 * off meanwhile, as SQLite's procedure for changing a table asks: a migration
 * that rebuilds a table (create new, copy, drop old, rename) would otherwise
 * cascade the drop into every row that references it — and drizzle runs all
 * migrations in one transaction, where the migration's own `PRAGMA foreign_keys=OFF`
 * does nothing. The keys are checked before they are turned back on.
 */
export function migrate(db: Db, migrationsFolder: string = MIGRATIONS_FOLDER): void {
  db.$client.pragma('foreign_keys = OFF')
  try {
    runMigrations(db, { migrationsFolder })
    const broken = db.$client.pragma('foreign_key_check')
    if (Array.isArray(broken) && broken.length > 0) throw new Error(`migrations left ${broken.length} broken foreign key(s): ${JSON.stringify(broken.slice(0, 5))}`)
  } finally {
    db.$client.pragma('foreign_keys = ON')
  }
}

/** Closes the underlying SQLite handle. */
export function closeDb(db: Db): void {
  db.$client.close()
}

/** Whether the database answers a trivial query; for readiness probes. */
export function pingDb(db: Db): boolean {
  return db.$client.prepare<[], { ok: number }>('SELECT 1 AS ok').get()?.ok === 1
}
