import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, createDb } from '@replyflow/db'
import { workerConnection } from '@replyflow/queue'
import { parseConfig } from '../src/config.ts'
import { startServer, warnIfOthersCanRead, type ApiServer } from '../src/server.ts'
import { REDIS_URL, WORKER_TOKEN } from './helper.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const prefix = `rf-test-${randomUUID()}`

/** Deletes whatever the server's dispatcher left under the test's queue prefix. */
async function removeQueueKeys(): Promise<void> {
  const redis = workerConnection(REDIS_URL)
  try {
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
  } finally {
    redis.disconnect()
  }
}

const FIRST_ADMIN = { ADMIN_EMAIL: 'first@example.com', ADMIN_PASSWORD: 'first-admin-password' }

async function start(dir: string, admin: Record<string, string> = FIRST_ADMIN, logger = pino({ level: 'silent' }), redisUrl = REDIS_URL): Promise<ApiServer> {
  const config = parseConfig({
    PORT: '0',
    DATABASE_PATH: join(dir, 'nested', 'replyflow.db'),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ...admin,
    WORKER_TOKEN,
  })
  const server = await startServer(config, logger, { host: '127.0.0.1' })
  return server
}

describe('startServer', () => {
  it('creates the database folder, migrates, creates the first admin once and serves HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-server-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), removeQueueKeys)
    const first = await start(dir)
    await first.close()
    expect(existsSync(join(dir, 'nested', 'replyflow.db'))).toBe(true)

    // A second start on the same file keeps the data and creates no second admin.
    const server = await start(dir)
    cleanups.push(() => server.close())
    const login = await fetch(`${server.address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'first@example.com', password: 'first-admin-password' }),
    })
    expect(login.status).toBe(200)
    expect(((await login.json()) as { user: unknown }).user).toMatchObject({ email: 'first@example.com', role: 'admin' })
    const users = server.deps.db.$client.prepare<[], { n: number }>('SELECT count(*) AS n FROM users').get()
    expect(users?.n).toBe(1)
    const ready = await fetch(`${server.address}/readyz`)
    expect(ready.status).toBe(200)
  })

  it('creates admin@replyflow.local with a password it logs once, when no first admin is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-server-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), removeQueueKeys)
    const lines: { msg?: string; password?: string }[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const first = await start(dir, {}, logger)
    await first.close()
    const generated = lines.filter((line) => line.msg?.startsWith('first start: log in as admin@replyflow.local'))
    expect(generated).toHaveLength(1)

    const server = await start(dir, {}, logger)
    cleanups.push(() => server.close())
    expect(lines.filter((line) => line.msg?.startsWith('first start'))).toHaveLength(1)
    const login = await fetch(`${server.address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@replyflow.local', password: generated[0]?.password }),
    })
    expect(login.status).toBe(200)
  })

  it('warns at start when other users can read the database, and not once it is private', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-server-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'replyflow.db')
    closeDb(createDb(path))
    const warnings = () => {
      const lines: { msg?: string; level?: number }[] = []
      warnIfOthersCanRead(path, pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }))
      return lines
    }
    expect(warnings()).toEqual([])
    // As an install from before private files left it.
    chmodSync(path, 0o644)
    expect(warnings()).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining(`other users of this machine can read the database (mode 644)`) })])
    expect(warnings()[0]?.msg).toContain(`chmod 600 ${path}`)
  })

  it('logs a Redis outage once, not at every reconnect attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-server-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const lines: { msg?: string }[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    // Nothing listens on port 1: ioredis retries every few hundred ms meanwhile.
    const server = await start(dir, FIRST_ADMIN, logger, 'redis://127.0.0.1:1')
    cleanups.push(() => server.close())
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(lines.filter((line) => line.msg === 'redis unreachable, retrying')).toHaveLength(1)
    expect(lines.filter((line) => /redis/i.test(line.msg ?? ''))).toHaveLength(1)
  })
})
