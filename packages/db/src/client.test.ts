import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, createDb, migrate, MIGRATIONS_FOLDER } from './client.ts'
import { newId } from './id.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('createDb', () => {
  it('creates the folder and opens the file with WAL, foreign keys on and temp files in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const db = createDb(join(dir, 'nested', 'deeper', 'replyflow.db'))
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.$client.pragma('busy_timeout', { simple: true })).toBe(5000)
    // 2 = MEMORY: savepoints' statement journals never touch the disk.
    expect(db.$client.pragma('temp_store', { simple: true })).toBe(2)
    closeDb(db)
  })

  it('creates the database, its WAL and its folder readable by this user only, and leaves an existing file as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const path = join(dir, 'data', 'replyflow.db')
    const db = createDb(path)
    migrate(db)
    const mode = (file: string) => statSync(file).mode & 0o777
    expect(mode(join(dir, 'data'))).toBe(0o700)
    expect(mode(path)).toBe(0o600)
    expect(mode(`${path}-wal`)).toBe(0o600)
    closeDb(db)

    chmodSync(path, 0o640)
    closeDb(createDb(path))
    expect(mode(path)).toBe(0o640)
  })

  it('migrates a fresh file and migrating again changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const db = createDb(join(dir, 'replyflow.db'))
    migrate(db)
    migrate(db)
    const tables = db.$client
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name")
      .all()
      .map((row) => row.name)
    expect(tables).toContain('flow_versions')
    expect(tables).toContain('run_effects')
    expect(tables).toContain('deliveries')
    closeDb(db)
  })
})

describe('migrate', () => {
  /** A copy of the migrations folder holding only the first `count` migrations: a database as an older release left it. */
  function olderMigrations(dir: string, count: number): string {
    const folder = join(dir, 'migrations')
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true })
    const journalPath = join(folder, 'meta', '_journal.json')
    const journal: { entries: unknown[] } = JSON.parse(readFileSync(journalPath, 'utf8'))
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }))
    return folder
  }

  it('rebuilds the runs table (0002) without cascading into the steps, effects and idempotency keys that reference it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const db = createDb(join(dir, 'replyflow.db'))
    migrate(db, olderMigrations(dir, 2))
    const at = '2025-01-15T10:00:00.000Z'
    db.$client.exec(`
      INSERT INTO flows (id, name, channel, trigger, draft, draft_updated_at, created_at, updated_at) VALUES ('F1', 'f', 'email', 'manual', '{}', '${at}', '${at}', '${at}');
      INSERT INTO flow_versions (id, flow_id, version, definition, checksum, created_at) VALUES ('V1', 'F1', 1, '{}', 'c', '${at}');
      INSERT INTO runs (id, flow_id, version_id, status, trigger, created_at) VALUES ('R1', 'F1', 'V1', 'succeeded', 'manual', '${at}');
      INSERT INTO run_steps (run_id, seq, node_id, type, started_at, finished_at) VALUES ('R1', 0, 'start', 'start', '${at}', '${at}');
      INSERT INTO run_effects (run_id, node_id, type, payload, applied_at) VALUES ('R1', 'assign', 'assign_agents', '{}', '${at}');
      INSERT INTO idempotency_keys (scope, key, run_id, request_hash, created_at) VALUES ('s', 'k', 'R1', 'h', '${at}');
    `)
    migrate(db)
    const count = (table: string) => db.$client.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n
    expect([count('runs'), count('run_steps'), count('run_effects'), count('idempotency_keys')]).toEqual([1, 1, 1, 1])
    expect(db.$client.prepare('SELECT version_id, dry_run, definition, effects FROM runs').get()).toEqual({ version_id: 'V1', dry_run: 0, definition: null, effects: null })
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1)
    // The rebuilt table still cascades: deleting the flow deletes its runs and their steps.
    db.$client.exec("DELETE FROM flows WHERE id = 'F1'")
    expect([count('runs'), count('run_steps')]).toEqual([0, 0])
    closeDb(db)
  })
})

describe('flow versions', () => {
  it('are immutable in the database itself: an UPDATE is refused, deleting their author or their flow still works', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const db = createDb(join(dir, 'replyflow.db'))
    migrate(db)
    const at = '2025-01-15T10:00:00.000Z'
    db.$client.exec(`
      INSERT INTO flows (id, name, channel, trigger, draft, draft_updated_at, created_at, updated_at) VALUES ('F1', 'f', 'email', 'manual', '{}', '${at}', '${at}', '${at}');
      INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at) VALUES ('U1', 'a@example.com', 'A', 'admin', 'h', '${at}', '${at}');
      INSERT INTO flow_versions (id, flow_id, version, definition, checksum, created_by, created_at) VALUES ('V1', 'F1', 1, '{"nodes":[]}', 'c', 'U1', '${at}');
    `)
    expect(() => db.$client.exec(`UPDATE flow_versions SET definition = '{"tampered":true}' WHERE id = 'V1'`)).toThrow('flow versions are immutable')
    expect(db.$client.prepare('SELECT definition FROM flow_versions').get()).toEqual({ definition: '{"nodes":[]}' })
    // The author's row may go: the version keeps its content, without an author.
    db.$client.exec("DELETE FROM users WHERE id = 'U1'")
    expect(db.$client.prepare('SELECT definition, created_by FROM flow_versions').get()).toEqual({ definition: '{"nodes":[]}', created_by: null })
    db.$client.exec("DELETE FROM flows WHERE id = 'F1'")
    expect(db.$client.prepare('SELECT count(*) AS n FROM flow_versions').get()).toEqual({ n: 0 })
    closeDb(db)
  })
})

describe('newId', () => {
  it('makes 26-character URL-safe ids without colons', () => {
    const id = newId()
    expect(id).toMatch(/^[0-9A-Z]{26}$/)
  })

  it('orders ids by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId(1_700_000_000_000))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(newId(1_800_000_000_000) > ids[ids.length - 1]!).toBe(true)
  })
})
