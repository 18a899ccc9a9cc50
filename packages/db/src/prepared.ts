import { eq, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { DbOrTx } from './client.ts'

// On the hot paths (inbound mail, run and delivery claims and reports) building
// SQL with drizzle and preparing it in SQLite cost several times more than
// running it: those queries are built and prepared once per connection.

/**
 * The connection a database or transaction runs on. drizzle keeps one session
 * per better-sqlite3 connection and hands it to every transaction it opens, so
 * a statement prepared through the database runs inside its transactions too.
 */
function connectionOf(db: DbOrTx): object {
  if ('session' in db && typeof db.session === 'object' && db.session !== null) return db.session
  throw new Error('not a drizzle database or transaction: it has no session')
}

/**
 * Memoises a drizzle prepared query per connection: `build` runs once for each
 * database, the answer is reused by that database and its transactions.
 *
 * @example
 * const byId = preparedQuery((db) => db.select().from(runs).where(eq(runs.id, sql.placeholder('id'))).prepare())
 * byId(tx).get({ id })
 */
export function preparedQuery<Q>(build: (db: DbOrTx) => Q): (db: DbOrTx) => Q {
  const byConnection = new WeakMap<object, Q>()
  return (db) => {
    const connection = connectionOf(db)
    let query = byConnection.get(connection)
    if (query === undefined) {
      query = build(db)
      byConnection.set(connection, query)
    }
    return query
  }
}

/**
 * `column IN (…)` over a JSON array bound to the placeholder `name`
 * (pass `JSON.stringify(ids)`): one prepared statement serves any number of ids.
 */
export function inJsonArray(column: SQLiteColumn, name: string): SQL {
  return sql`${column} in (select value from json_each(${sql.placeholder(name)}))`
}

/** A placeholder usable in `update().set()`, whose types take SQL but not bare placeholders; JSON columns need their value stringified. */
export function setPlaceholder(name: string): SQL {
  return sql`${sql.placeholder(name)}`
}

function toDriverValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value
}

/**
 * `UPDATE table SET (the patch's columns) WHERE id = ?`, prepared once per set
 * of columns a caller patches. Values go to SQLite as drizzle would send them:
 * objects (only JSON columns hold them) as JSON text, booleans as 0/1, null as NULL.
 */
export function preparedUpdate<T extends SQLiteTable>(table: T, idColumn: SQLiteColumn): (db: DbOrTx, id: string, patch: object) => void {
  const byColumns = new Map<string, (db: DbOrTx) => { run(values: Record<string, unknown>): unknown }>()
  return (db, id, patch) => {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined)
    if (entries.length === 0) return
    const key = entries.map(([column]) => column).join(',')
    let query = byColumns.get(key)
    if (!query) {
      const set: Record<string, SQL> = Object.fromEntries(entries.map(([column]) => [column, sql`${sql.placeholder(`set_${column}`)}`]))
      query = preparedQuery((db) => db.update(table).set(set).where(eq(idColumn, sql.placeholder('id'))).prepare())
      byColumns.set(key, query)
    }
    const values: Record<string, unknown> = { id }
    for (const [column, value] of entries) values[`set_${column}`] = toDriverValue(value)
    query(db).run(values)
  }
}
