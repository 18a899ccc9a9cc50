import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

/** A redis-server of a test's own, on an ephemeral port, that the test may stop and start again. */
export interface PrivateRedis {
  url: string
  port: number
  /** Stops the server (SIGTERM: with `persist`, it writes its append-only file first). */
  stop(): Promise<void>
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>
  /** Stops it and deletes its data folder. */
  destroy(): Promise<void>
}

export interface PrivateRedisOptions {
  /** Keep data across stop/start with an append-only file, as production does (default true). */
  persist?: boolean
  /** How long to wait for the server to answer PING. */
  timeoutMs?: number
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || !address) throw new Error('no free port')
  return address.port
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 })
  client.on('error', () => {
    // Expected while the server starts; the caller polls.
  })
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/**
 * Starts a private `redis-server` (the binary must be on PATH). Tests that
 * stop Redis use one of these, never the shared server on 6379.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'rf-redis-'))
  const url = `redis://127.0.0.1:${port}`
  const timeoutMs = options.timeoutMs ?? 10_000
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction']
  args.push('--appendonly', options.persist === false ? 'no' : 'yes', '--appendfsync', 'always')
  let child: ChildProcess | null = null

  async function start(): Promise<void> {
    if (child) return
    const spawned = spawn('redis-server', args, { stdio: 'ignore' })
    child = spawned
    let exited = false
    spawned.once('exit', () => {
      exited = true
      if (child === spawned) child = null
    })
    const deadline = Date.now() + timeoutMs
    while (!(await answersPing(url))) {
      if (exited) throw new Error(`redis-server exited while starting on port ${port}`)
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async function stop(): Promise<void> {
    const running = child
    if (!running) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    await exited
    child = null
  }

  await start()
  return {
    url,
    port,
    stop,
    start,
    async destroy() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
