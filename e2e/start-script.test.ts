import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { SHARED_REDIS_URL, eventually } from './harness.ts'
import { startScript, type StartScript } from './processes.ts'

// `pnpm start:worker` (scripts/start.mjs) as a user runs it: Node builtins, its
// own process group, the shared Redis. The worker mode needs no editor build and no API.

function startWorkerScript(env: Record<string, string>): StartScript {
  return startScript('start:worker', { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: SHARED_REDIS_URL, WORKER_PORT: '0', API_URL: 'http://127.0.0.1:1', ...env })
}

/** The worker's 'worker started' log line, once it printed it. */
function workerStarted(started: StartScript): Promise<Record<string, unknown>> {
  return eventually(
    async () => {
      const line = started.lines.find((text) => text.includes('"msg":"worker started"'))
      return line ? (JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>) : undefined
    },
    { timeoutMs: 60_000, what: `the worker starting; output so far:\n${started.lines.join('\n')}` },
  )
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 })
  try {
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
  } finally {
    redis.disconnect()
  }
}

describe('pnpm start', () => {
  const running: StartScript[] = []
  const prefixes: string[] = []
  afterEach(async () => {
    for (const started of running.splice(0)) {
      if (started.child.exitCode === null && started.child.pid) process.kill(-started.child.pid, 'SIGKILL')
      await started.exited
    }
    for (const prefix of prefixes.splice(0)) await deleteKeys(prefix)
  })

  it('stops cleanly on Ctrl-C and exits 0, though pnpm forwards the signal a second time', async () => {
    const token = randomBytes(24).toString('hex')
    const started = startWorkerScript({ WORKER_TOKEN: token, QUEUE_PREFIX: `rf-e2e-start-${token.slice(0, 8)}` })
    running.push(started)
    prefixes.push(`rf-e2e-start-${token.slice(0, 8)}`)
    await workerStarted(started)
    // Ctrl-C: the terminal signals the foreground process group — pnpm, start.mjs and the worker.
    process.kill(-(started.child.pid ?? 0), 'SIGINT')
    expect(await started.exited).toBe(0)
    const output = started.lines.join('\n')
    expect(output).toContain('[start] SIGINT: stopping')
    expect(output).toContain('"msg":"closing: finishing in-flight jobs"')
    expect(started.lines.at(-1)).toBe('[start] stopped')
    expect(output).not.toContain('second signal')
    expect(output).not.toContain('ELIFECYCLE')
  })

  it("uses a queue prefix of the install's own when QUEUE_PREFIX is unset, and says which", async () => {
    const token = randomBytes(24).toString('hex')
    const expected = `replyflow-${createHash('sha256').update(`replyflow queue prefix\0${token}`).digest('hex').slice(0, 8)}`
    prefixes.push(expected)
    const started = startWorkerScript({ WORKER_TOKEN: token })
    running.push(started)
    const line = await workerStarted(started)
    expect(line.queuePrefix).toBe(expected)
    expect(started.lines).toContain(
      `[start] queue prefix: ${expected} (this install's own, from its worker token, so it can share a Redis with other installs; set QUEUE_PREFIX to choose one)`,
    )
  })

  it('says which setting to change when its health port is taken, and exits 1', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve))
    try {
      const token = randomBytes(24).toString('hex')
      prefixes.push(`rf-e2e-start-${token.slice(0, 8)}`)
      const port = (taken.address() as AddressInfo).port
      const started = startWorkerScript({ WORKER_TOKEN: token, QUEUE_PREFIX: `rf-e2e-start-${token.slice(0, 8)}`, WORKER_PORT: String(port) })
      running.push(started)
      expect(await started.exited).toBe(1)
      expect(started.lines.join('\n')).toContain(`port ${port} for /healthz and /metrics is taken (another worker?): set WORKER_PORT to a free port, or 0 for any`)
    } finally {
      taken.close()
    }
  })

  it.each([
    ['start:api', 'WORKER_TOKEN is unset: `pnpm start:api` needs one (16+ characters, e.g. `openssl rand -hex 32`), and every worker must get the same value'],
    ['start:worker', "WORKER_TOKEN is unset: `pnpm start:worker` needs the API's WORKER_TOKEN (the same value as the API's)"],
  ])('refuses `pnpm %s` without WORKER_TOKEN, saying so in one line, and generates no token of its own', async (script, message) => {
    const data = mkdtempSync(join(tmpdir(), 'rf-e2e-data-'))
    try {
      const started = startScript(script, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: SHARED_REDIS_URL, WORKER_PORT: '0', DATA_DIR: data })
      running.push(started)
      expect(await started.exited).toBe(1)
      expect(started.lines).toContain(`[start] ${message}`)
      expect(started.lines.join('\n')).not.toContain('generated a worker token')
      expect(existsSync(join(data, 'worker-token'))).toBe(false)
    } finally {
      rmSync(data, { recursive: true, force: true })
    }
  })

  it('points to the token an earlier `pnpm start` kept, when there is one', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rf-e2e-data-'))
    try {
      writeFileSync(join(data, 'worker-token'), randomBytes(32).toString('hex'))
      const started = startScript('start:worker', { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: SHARED_REDIS_URL, WORKER_PORT: '0', DATA_DIR: data })
      running.push(started)
      expect(await started.exited).toBe(1)
      expect(started.lines.join('\n')).toContain(`(\`pnpm start\` kept one in ${join(data, 'worker-token')}: WORKER_TOKEN=$(cat ${join(data, 'worker-token')}))`)
    } finally {
      rmSync(data, { recursive: true, force: true })
    }
  })
})
