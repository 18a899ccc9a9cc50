import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, createDb, migrate } from './client.ts'
import { newId } from './id.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('createDb', () => {
  it('creates the folder and opens the file with WAL and foreign keys on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const db = createDb(join(dir, 'nested', 'deeper', 'replyflow.db'))
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.$client.pragma('busy_timeout', { simple: true })).toBe(5000)
    closeDb(db)
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
