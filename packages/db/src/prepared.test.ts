import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, createDb, migrate, type Db } from './client.ts'
import { findRuns, insertRun, updateRun } from './repositories/runs.ts'
import { insertFlow, insertVersion } from './repositories/flows.ts'
import { findWebhookToken, insertWebhookToken } from './repositories/mail.ts'

const dirs: string[] = []
const dbs: Db[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) closeDb(db)
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function openDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
  dirs.push(dir)
  const db = createDb(join(dir, 'replyflow.db'))
  migrate(db)
  dbs.push(db)
  return db
}

const at = '2025-01-15T10:00:00.000Z'

function seedRun(db: Db, id: string): void {
  insertFlow(db, { id: 'flow', name: 'f', channel: 'email', trigger: 'manual', enabled: true, draft: { schemaVersion: 1, channel: 'email', nodes: [], edges: [] }, draftUpdatedAt: at, createdAt: at, updatedAt: at })
  insertVersion(db, { id: 'version', flowId: 'flow', version: 1, definition: { schemaVersion: 1, channel: 'email', nodes: [], edges: [] }, checksum: 'x', createdAt: at })
  insertRun(db, { id, flowId: 'flow', versionId: 'version', status: 'queued', trigger: 'manual', input: { a: 1 }, createdAt: at })
}

describe('prepared hot-path queries', () => {
  it('run inside a transaction and are undone by its rollback', () => {
    const db = openDb()
    expect(() =>
      db.transaction((tx) => {
        insertWebhookToken(tx, { token: 't1', kind: 'inbound', fingerprint: 'f', createdAt: at })
        expect(findWebhookToken(tx, 't1')).toEqual({ kind: 'inbound', fingerprint: 'f' })
        throw new Error('roll back')
      }),
    ).toThrow('roll back')
    expect(findWebhookToken(db, 't1')).toBeUndefined()
    insertWebhookToken(db, { token: 't1', kind: 'inbound', fingerprint: 'g', createdAt: at })
    expect(findWebhookToken(db, 't1')).toEqual({ kind: 'inbound', fingerprint: 'g' })
  })

  it('keep each database to its own file', () => {
    const first = openDb()
    const second = openDb()
    insertWebhookToken(first, { token: 'only-in-first', kind: 'inbound', fingerprint: null, createdAt: at })
    expect(findWebhookToken(first, 'only-in-first')).toBeDefined()
    expect(findWebhookToken(second, 'only-in-first')).toBeUndefined()
  })

  it('store JSON, nulls and defaults as drizzle does, whatever columns an update patches', () => {
    const db = openDb()
    seedRun(db, 'run1')
    expect(findRuns(db, ['run1', 'unknown'])).toEqual([
      expect.objectContaining({ id: 'run1', input: { a: 1 }, context: null, error: null, attempt: 1, enqueuedAt: null }),
    ])
    updateRun(db, 'run1', { status: 'failed', error: { code: 'X', message: 'broke' }, finishedAt: at })
    updateRun(db, 'run1', { enqueuedAt: at, startedAt: undefined })
    expect(findRuns(db, ['run1'])[0]).toMatchObject({ status: 'failed', error: { code: 'X', message: 'broke' }, finishedAt: at, enqueuedAt: at, startedAt: null })
    updateRun(db, 'run1', { error: null })
    expect(findRuns(db, ['run1'])[0]?.error).toBeNull()
    expect(db.$client.prepare('SELECT error FROM runs').get()).toEqual({ error: null })
  })
})
