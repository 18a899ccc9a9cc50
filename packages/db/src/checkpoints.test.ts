import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { startBackgroundCheckpoints } from './checkpoints.ts'
import { closeDb, createDb, migrate } from './client.ts'
import { insertWebhookToken } from './repositories/mail.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('startBackgroundCheckpoints', () => {
  it('copies commits into the database file from another thread and keeps the WAL bounded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-db-'))
    dirs.push(dir)
    const path = join(dir, 'replyflow.db')
    const db = createDb(path)
    migrate(db)
    const errors: unknown[] = []
    const checkpoints = startBackgroundCheckpoints(db, path, { intervalMs: 10, truncateBytes: 256 * 1024, onError: (error) => errors.push(error) })
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(0)

    const fingerprint = 'x'.repeat(1000)
    for (let batch = 0; batch < 40; batch++) {
      db.transaction((tx) => {
        for (let i = 0; i < 50; i++) insertWebhookToken(tx, { token: `t-${batch}-${i}`, kind: 'inbound', fingerprint, createdAt: '2025-01-15T10:00:00.000Z' })
      })
      // Let the checkpoint thread's timer fire between bursts, as between requests.
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    // 2,000 rows of 1 kB went through a WAL truncated past 256 kB.
    await until(() => statSync(`${path}-wal`).size <= 256 * 1024, 'a truncated WAL')

    // Nothing was lost on the way through the truncated WAL.
    const reader = new Database(path, { readonly: true })
    expect(reader.prepare('SELECT count(*) AS n FROM webhook_tokens').get()).toEqual({ n: 2000 })
    reader.close()

    await checkpoints.stop()
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    expect(errors).toEqual([])
    closeDb(db)
  })
})
