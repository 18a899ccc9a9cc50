import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, createDb, migrate, type Db } from './client.ts'
import { inGroupCommit } from './group-commit.ts'
import { findWebhookToken, insertWebhookToken } from './repositories/mail.ts'

const at = '2025-01-15T10:00:00.000Z'
const dirs: string[] = []
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function open(): { db: Db; reader: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
  dirs.push(dir)
  const db = createDb(join(dir, 'replyflow.db'))
  migrate(db)
  const reader = new Database(join(dir, 'replyflow.db'), { readonly: true })
  cleanups.push(() => {
    reader.close()
    closeDb(db)
  })
  return { db, reader }
}

const tokensIn = (reader: Database.Database) => reader.prepare('SELECT token FROM webhook_tokens ORDER BY token').pluck().all()
const commitsSeenBy = (reader: Database.Database) => Number(reader.pragma('data_version', { simple: true }))

describe('inGroupCommit', () => {
  it('commits work submitted together once, and resolves each piece only after that commit', async () => {
    const { db, reader } = open()
    const before = commitsSeenBy(reader)
    const seenOnResolve: unknown[][] = []
    await Promise.all(
      ['a', 'b', 'c'].map((token) =>
        inGroupCommit(db, (tx) => insertWebhookToken(tx, { token, kind: 'inbound', fingerprint: null, createdAt: at })).then(() => {
          seenOnResolve.push(tokensIn(reader))
        }),
      ),
    )
    expect(seenOnResolve).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']])
    expect(commitsSeenBy(reader) - before).toBe(1)
  })

  it('rolls back a piece that throws, alone: the others commit and see each other', async () => {
    const { db, reader } = open()
    const results = await Promise.allSettled([
      inGroupCommit(db, (tx) => insertWebhookToken(tx, { token: 'kept', kind: 'inbound', fingerprint: null, createdAt: at })),
      inGroupCommit(db, (tx) => {
        insertWebhookToken(tx, { token: 'undone', kind: 'inbound', fingerprint: null, createdAt: at })
        throw new Error('this mail breaks a rule')
      }),
      inGroupCommit(db, (tx) => findWebhookToken(tx, 'kept')?.kind ?? null),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(results[1]).toMatchObject({ reason: new Error('this mail breaks a rule') })
    expect(results[2]).toMatchObject({ value: 'inbound' })
    expect(tokensIn(reader)).toEqual(['kept'])
  })

  it('fails every piece when the group cannot commit', async () => {
    const { db } = open()
    const pending = [
      inGroupCommit(db, (tx) => insertWebhookToken(tx, { token: 'x', kind: 'inbound', fingerprint: null, createdAt: at })),
      inGroupCommit(db, (tx) => insertWebhookToken(tx, { token: 'y', kind: 'inbound', fingerprint: null, createdAt: at })),
    ]
    // Closed before the group runs: BEGIN itself fails.
    cleanups.splice(0).forEach((cleanup) => cleanup())
    const results = await Promise.allSettled(pending)
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
  })
})
