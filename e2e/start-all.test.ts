import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually } from './harness.ts'
import { startScript, type StartScript } from './processes.ts'

// Issue 4: `pnpm start` in its default (all) mode — a private Redis when none answers
// and redis-server is installed, the API and the worker answering, Ctrl-C stopping all
// of it; without Redis or redis-server, a message saying how to get Redis.

function pnpmStart(env: Record<string, string>): StartScript {
  return startScript('start', { HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env })
}

function listen(port: number): Promise<Server | null> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(null))
    server.listen(port, '0.0.0.0', () => resolve(server))
  })
}

/** A free port whose next one is free too (the API's PORT, and the worker's PORT + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const first = await listen(0)
    if (!first) continue
    const port = (first.address() as AddressInfo).port
    const second = await listen(port + 1)
    await new Promise((resolve) => first.close(resolve))
    if (second) {
      await new Promise((resolve) => second.close(resolve))
      return port
    }
  }
}

/** A free port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = await listen(0)
  const port = (server?.address() as AddressInfo).port
  await new Promise((resolve) => server?.close(resolve))
  return port
}

/** Where `command` is on this PATH, or null. */
function whereIs(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command)
  }
  return null
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function answers(url: string): Promise<boolean | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok || undefined
  } catch {
    return undefined
  }
}

describe('pnpm start (API, worker and a private Redis)', () => {
  const running: StartScript[] = []
  const dirs: string[] = []
  const redisPids: number[] = []
  afterEach(async () => {
    for (const started of running.splice(0)) {
      if (started.child.exitCode === null && started.child.pid) process.kill(-started.child.pid, 'SIGKILL')
      await started.exited
    }
    for (const pid of redisPids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL')
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('starts a private Redis under its data folder when none answers, runs the API and the worker, and Ctrl-C stops all of it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rf-e2e-start-'))
    dirs.push(data)
    // A newcomer's home: no tool has run here before (Turborepo would print its first-run telemetry notice).
    const home = join(data, 'home')
    mkdirSync(home)
    const [port, redisPort] = [await freePortPair(), await closedPort()]
    const started = pnpmStart({ PATH: process.env.PATH ?? '', HOME: home, PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATA_DIR: data })
    running.push(started)
    const output = () => started.lines.join('\n')

    await eventually(() => answers(`http://127.0.0.1:${port}/healthz`), { timeoutMs: 120_000, intervalMs: 200, what: `the API's /healthz; output so far:\n${output()}` })
    await eventually(() => answers(`http://127.0.0.1:${port + 1}/healthz`), { timeoutMs: 60_000, intervalMs: 200, what: `the worker's /healthz; output so far:\n${output()}` })
    expect(output()).toContain(`[start] no Redis at redis://127.0.0.1:${redisPort}: starting a private redis-server on port ${redisPort} (data in ${join(data, 'redis')})`)
    expect(output()).toContain(`[start] worker health and metrics on http://localhost:${port + 1}/healthz`)
    expect(output()).not.toMatch(/telemetry/i)

    // The private Redis: it answers on that port and keeps its data in the data folder, beside the database and token.
    const redis = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: 1, lazyConnect: true })
    let pid: number
    try {
      pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1])
      expect(await redis.config('GET', 'dir')).toEqual(['dir', join(data, 'redis')])
    } finally {
      redis.disconnect()
    }
    redisPids.push(pid)
    expect(alive(pid)).toBe(true)
    expect(readdirSync(join(data, 'redis')).length).toBeGreaterThan(0)
    expect(existsSync(join(data, 'replyflow.db'))).toBe(true)
    expect(existsSync(join(data, 'worker-token'))).toBe(true)

    // Ctrl-C: the terminal signals the foreground process group.
    process.kill(-(started.child.pid ?? 0), 'SIGINT')
    expect(await started.exited).toBe(0)
    expect(started.lines.at(-1)).toBe('[start] stopped')
    expect(alive(pid)).toBe(false)
    expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBeUndefined()
    expect(await answers(`http://127.0.0.1:${port + 1}/healthz`)).toBeUndefined()
  })

  it('without Redis and without redis-server, exits 1 saying how to get Redis', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rf-e2e-start-'))
    dirs.push(data)
    // This machine's PATH, in one folder of links, without redis-server.
    expect(whereIs('redis-server')).not.toBeNull()
    const bin = join(data, 'bin')
    mkdirSync(bin)
    const linked = new Set(['redis-server'])
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      for (const command of existsSync(dir) ? readdirSync(dir) : []) {
        if (linked.has(command)) continue
        linked.add(command)
        symlinkSync(join(dir, command), join(bin, command))
      }
    }
    const redisPort = await closedPort()
    const started = pnpmStart({ PATH: bin, PORT: String(await freePortPair()), REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATA_DIR: data })
    running.push(started)
    expect(await started.exited).toBe(1)
    const output = started.lines.join('\n')
    expect(output).toContain(`[start] nothing answers at REDIS_URL=redis://127.0.0.1:${redisPort}.`)
    expect(output).toContain('sudo apt-get install redis-server')
    expect(output).toContain('docker run -d -p 6379:6379 redis:7')
    expect(output).toContain('point REDIS_URL at a Redis you have')
    expect(existsSync(join(data, 'redis'))).toBe(false)
  })
})
