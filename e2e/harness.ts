/**
 * The system-test harness: Replyflow as it runs in production, as real child
 * processes — the API (fresh temp SQLite), one or more workers, and the local
 * Mailgun-compatible server — on a Redis with a unique BullMQ prefix (or a
 * private redis-server the test may stop). See e2e/README.md.
 *
 * @example
 * const system = await startSystem()
 * await system.createAgent({ name: 'Ann', email: 'ann@example.com' })
 * const flow = await system.publishFlow(referenceFlow())
 * const run = await system.waitForRun(await system.triggerRun(flow.id))
 * const mail = await system.mailgun.waitForMessages(1)
 * await system.stop()
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDb, createDb, type Db } from '@replyflow/db'
import type { FlowDefinition } from '@replyflow/flow'
import type { RecordedMessage } from '@replyflow/mail/mailgun-server'
import { startPrivateRedis, type PrivateRedis } from '@replyflow/queue/testing'
import { Redis } from 'ioredis'
import { ROOT, startApp, type AppProcess } from './processes.ts'

/** The shared Redis of the test machine; tests on it use a unique key prefix. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379'

/** Credentials and names the harness sets up. */
export const E2E = {
  admin: { email: 'admin@e2e.test', password: 'e2e-admin-password' },
  mailgun: { apiKey: 'key-e2e', domain: 'mg.e2e.test', signingKey: 'e2e-webhook-signing-key' },
  teamAddress: 'support@mg.e2e.test',
} as const

export interface SystemOptions {
  /** Worker processes to start (default 1). More can be added with `addWorker`. */
  workers?: number
  /** A private redis-server the test may stop and start (default: the shared one, with a unique prefix). */
  privateRedis?: boolean
  /** The shared Redis to use when not private (default `SHARED_REDIS_URL`). */
  redisUrl?: string
  /** Workers' lock duration: how soon a killed worker's job moves to another (default 2 s). */
  lockMs?: number
  /** Jobs per worker process (default 20). */
  concurrency?: number
  /** Extra environment for the API and for the workers. */
  apiEnv?: Record<string, string>
  workerEnv?: Record<string, string>
  /** Extra `node` flags for the API, the workers and the local Mailgun server (e.g. `--cpu-prof`). */
  nodeArgs?: string[]
  /**
   * Run as `pnpm start` does without a Mailgun account: no MAILGUN_* settings,
   * so mail goes to the API's own dev mailbox (`/dev/mailgun`), whose routes
   * forward to the API's webhook. `mailgun` then reads the dev mailbox (as the
   * admin) and `mailgunServer` is the API process.
   */
  devMailbox?: boolean
}

/** The answer of an HTTP call: status and parsed JSON body (or text). */
export interface HttpAnswer<T = unknown> {
  status: number
  body: T
  headers: Headers
}

/** The local Mailgun server as the tests see it: recorded messages and failure plans. */
export interface MailgunControl {
  url: string
  messages(): Promise<RecordedMessage[]>
  /** Polls until at least `count` messages (matching `where`, if given) were recorded. */
  waitForMessages(count: number, options?: { where?: (message: RecordedMessage) => boolean; timeoutMs?: number }): Promise<RecordedMessage[]>
  /** Answers the next `count` sends with `status` (and Mailgun-like `message`). */
  failNext(count: number, status: number, message?: string): Promise<void>
  /** Answers the next `count` sends only after `ms`, like a slow provider. */
  delayNext(count: number, ms: number): Promise<void>
  stats(): Promise<{ messages: number; attempts: number; pendingFailures: number }>
  clear(): Promise<void>
  /** `POST /mailbox/inbound`: mail arriving from outside, through the routes (docs/internals.md). */
  receive(mail: Record<string, unknown>): Promise<HttpAnswer<MailboxSimulation>>
  /** `POST /mailbox/messages/:id/reply`: the recipient of a recorded message answers it. */
  reply(messageId: string, reply: Record<string, unknown>): Promise<HttpAnswer<MailboxSimulation>>
  /** The bytes of a recorded message's attachment. */
  attachment(messageId: string, index: number): Promise<Buffer>
}

/** What the Mailgun server did with a simulated mail: its Message-Id and the route forwards. */
export interface MailboxSimulation {
  messageId: string
  forwards: { url: string; status: number | null; recipient: string }[]
}

/** A run as `GET /api/v1/runs/:id` answers it (the fields the tests read). */
export interface RunView {
  id: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  conversationId: string | null
  messageId: string | null
  error: { code: string; message: string } | null
  steps: { nodeId: string; result: string | null }[]
}

/** A started system: its processes, its HTTP surfaces and helpers for the reference scenario. */
export interface System {
  apiUrl: string
  /** The BullMQ prefix of this system's queues. */
  prefix: string
  workerToken: string
  api: AppProcess
  workers: AppProcess[]
  /** The process serving the Mailgun API: the local server, or the API itself with `devMailbox`. */
  mailgunServer: AppProcess
  mailgun: MailgunControl
  /** The private Redis when `privateRedis` was asked for. */
  redis: PrivateRedis | null
  redisUrl: string
  /** Calls the API as the logged-in admin. */
  request<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>
  createAgent(agent: { name: string; email: string }): Promise<{ id: string; email: string }>
  /** Creates a flow, saves `definition` as its draft and publishes it; the flow is then enabled. */
  publishFlow(definition: FlowDefinition, options?: { name?: string; trigger?: string }): Promise<{ id: string; versionId: string }>
  /** `POST flows/:id/runs`; resolves with the run id. */
  triggerRun(flowId: string, input?: { customer?: Record<string, unknown>; message?: Record<string, unknown> }): Promise<string>
  /** Polls `GET runs/:id` until the run succeeded or failed. */
  waitForRun(runId: string, timeoutMs?: number): Promise<RunView>
  /** Starts one more worker process. */
  addWorker(env?: Record<string, string>): Promise<AppProcess>
  /** Base URL of a worker's health and metrics server (`/healthz`, `/readyz`, `/metrics`). */
  workerUrl(worker: AppProcess): string
  /** Opens the API's SQLite file for assertions (WAL: reading beside the running API is safe). Close it after use. */
  openDb(): Db
  /** Stops every process, deletes the system's Redis keys and its temp folder. */
  stop(): Promise<void>
}

/** The reference flow of DESIGN.md §4 (`packages/flow/fixtures/reference.flow.json`). */
export function referenceFlow(): FlowDefinition {
  return JSON.parse(readFileSync(join(ROOT, 'packages/flow/fixtures/reference.flow.json'), 'utf8')) as FlowDefinition
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

async function http<T>(url: string, init: RequestInit = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(url, init)
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  const body = type.includes('json') && text ? JSON.parse(text) : text
  return { status: response.status, body, headers: response.headers }
}

/** Reads and steers the Mailgun server at `url` (the local server, or the dev mailbox with the admin's cookie). */
export function mailgunControl(url: string, headers: Record<string, string> = {}): MailgunControl {
  const json = { ...headers, 'content-type': 'application/json' }
  const control: MailgunControl = {
    url,
    async messages() {
      return (await http<{ items: RecordedMessage[] }>(`${url}/mailbox/messages`, { headers })).body.items
    },
    waitForMessages(count, { where = () => true, timeoutMs = 30_000 } = {}) {
      return eventually(
        async () => {
          const found = (await control.messages()).filter(where)
          return found.length >= count ? found : undefined
        },
        { timeoutMs, what: `${count} recorded message(s)` },
      )
    },
    async failNext(count, status, message) {
      const answer = await http(`${url}/mailbox/failures`, { method: 'POST', headers: json, body: JSON.stringify({ count, status, message }) })
      if (answer.status !== 200) throw new Error(`planning failures: ${answer.status} ${JSON.stringify(answer.body)}`)
    },
    async delayNext(count, ms) {
      const answer = await http(`${url}/mailbox/delays`, { method: 'POST', headers: json, body: JSON.stringify({ count, ms }) })
      if (answer.status !== 200) throw new Error(`planning delays: ${answer.status} ${JSON.stringify(answer.body)}`)
    },
    async stats() {
      return (await http<{ messages: number; attempts: number; pendingFailures: number }>(`${url}/mailbox/stats`, { headers })).body
    },
    async clear() {
      await http(`${url}/mailbox/messages`, { method: 'DELETE', headers })
      await http(`${url}/mailbox/failures`, { method: 'DELETE', headers })
    },
    receive: (mail) => http<MailboxSimulation>(`${url}/mailbox/inbound`, { method: 'POST', headers: json, body: JSON.stringify(mail) }),
    reply: (messageId, reply) =>
      http<MailboxSimulation>(`${url}/mailbox/messages/${encodeURIComponent(messageId)}/reply`, { method: 'POST', headers: json, body: JSON.stringify(reply) }),
    async attachment(messageId, index) {
      const response = await fetch(`${url}/mailbox/messages/${encodeURIComponent(messageId)}/attachments/${index}`, { headers })
      if (!response.ok) throw new Error(`attachment ${index} of ${messageId}: ${response.status} ${await response.text()}`)
      return Buffer.from(await response.arrayBuffer())
    },
  }
  return control
}

/** Deletes every key under a BullMQ prefix (never FLUSHALL: the shared Redis has other tests' keys). */
async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

function portOf(address: unknown): number {
  const match = typeof address === 'string' ? /:(\d+)\/?$/.exec(address) : null
  if (!match?.[1]) throw new Error(`no port in "${String(address)}"`)
  return Number(match[1])
}

/** Starts the local Mailgun server, the API and the workers. */
export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const dir = mkdtempSync(join(tmpdir(), 'rf-e2e-'))
  const prefix = `rf-e2e-${randomUUID()}`
  const workerToken = randomBytes(24).toString('hex')
  const redis = options.privateRedis ? await startPrivateRedis() : null
  const redisUrl = redis?.url ?? options.redisUrl ?? SHARED_REDIS_URL
  const started: AppProcess[] = []

  try {
    const external = options.devMailbox
      ? null
      : startApp('mailgun', 'packages/mail/src/mailgun-server/cli.ts', {}, ['--key', E2E.mailgun.apiKey, '--signing-key', E2E.mailgun.signingKey], options.nodeArgs)
    if (external) started.push(external)
    const externalUrl = external ? String((await external.waitForLine((line) => typeof line.url === 'string')).url) : null

    const mailEnv: Record<string, string> = externalUrl
      ? { MAILGUN_API_KEY: E2E.mailgun.apiKey, MAILGUN_DOMAIN: E2E.mailgun.domain, MAILGUN_URL: externalUrl, MAILGUN_WEBHOOK_SIGNING_KEY: E2E.mailgun.signingKey }
      : {}
    const api = startApp('api', 'apps/api/src/main.ts', {
      PORT: '0',
      DATABASE_PATH: join(dir, 'replyflow.db'),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      WORKER_TOKEN: workerToken,
      ADMIN_EMAIL: E2E.admin.email,
      ADMIN_PASSWORD: E2E.admin.password,
      ...mailEnv,
      ...options.apiEnv,
    }, [], options.nodeArgs)
    started.push(api)
    const listening = await api.waitForLine((line) => line.msg === 'api listening')
    const apiUrl = `http://127.0.0.1:${portOf(listening.address)}`

    const workers: AppProcess[] = []
    const workerUrls = new WeakMap<AppProcess, string>()
    const addWorker = async (env: Record<string, string> = {}): Promise<AppProcess> => {
      const worker = startApp(`worker-${workers.length + 1}`, 'apps/worker/src/main.ts', {
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        API_URL: apiUrl,
        WORKER_TOKEN: workerToken,
        WORKER_PORT: '0',
        WORKER_CONCURRENCY: String(options.concurrency ?? 20),
        WORKER_LOCK_MS: String(options.lockMs ?? 2_000),
        LOG_LEVEL: 'info',
        ...mailEnv,
        ...options.workerEnv,
        ...env,
      }, [], options.nodeArgs)
      workers.push(worker)
      started.push(worker)
      const ready = await worker.waitForLine((line) => line.msg === 'worker started')
      workerUrls.set(worker, `http://127.0.0.1:${String(ready.port)}`)
      return worker
    }
    for (let i = 0; i < (options.workers ?? 1); i++) await addWorker()

    const login = await http(`${apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(E2E.admin),
    })
    const cookie = login.headers.get('set-cookie')?.split(';')[0]
    if (login.status !== 200 || !cookie) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`)

    const request = <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      http<T>(`${apiUrl}/api/v1${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      })

    const expect = <T>(answer: HttpAnswer<T>, status: number, what: string): T => {
      if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`)
      return answer.body
    }

    const system: System = {
      apiUrl,
      prefix,
      workerToken,
      api,
      workers,
      mailgunServer: external ?? api,
      mailgun: externalUrl ? mailgunControl(externalUrl) : mailgunControl(`${apiUrl}/dev/mailgun`, { cookie }),
      redis,
      redisUrl,
      request,
      async createAgent(agent) {
        return expect(await request<{ id: string; email: string }>('POST', '/agents', agent), 201, 'creating an agent')
      },
      async publishFlow(definition, { name = `flow ${randomUUID().slice(0, 8)}`, trigger = 'manual' } = {}) {
        const flow = expect(await request<{ id: string }>('POST', '/flows', { name, channel: definition.channel, trigger }), 201, 'creating a flow')
        expect(await request('PUT', `/flows/${flow.id}/draft`, { definition }), 200, 'saving the draft')
        const version = expect(await request<{ id: string }>('POST', `/flows/${flow.id}/versions`, {}), 201, 'publishing')
        return { id: flow.id, versionId: version.id }
      },
      async triggerRun(flowId, input = {}) {
        const body = {
          input: {
            customer: { name: 'Jane Customer', email: 'jane@customer.test', ...input.customer },
            message: { subject: 'Help', content: 'I would like a refund, please.', ...input.message },
          },
        }
        return expect(await request<{ id: string }>('POST', `/flows/${flowId}/runs`, body), 202, 'triggering a run').id
      },
      waitForRun(runId, timeoutMs = 30_000) {
        return eventually(
          async () => {
            const run = expect(await request<RunView>('GET', `/runs/${runId}`), 200, 'reading a run')
            return run.status === 'succeeded' || run.status === 'failed' ? run : undefined
          },
          { timeoutMs, intervalMs: 100, what: `run ${runId} finishing` },
        )
      },
      addWorker,
      workerUrl(worker) {
        const url = workerUrls.get(worker)
        if (!url) throw new Error(`${worker.name} is not a worker of this system`)
        return url
      },
      openDb: () => createDb(join(dir, 'replyflow.db')),
      async stop() {
        await Promise.all(started.map((app) => app.stop()))
        if (redis) await redis.destroy()
        else await deletePrefix(redisUrl, prefix)
        rmSync(dir, { recursive: true, force: true })
      },
    }
    return system
  } catch (error) {
    await Promise.all(started.map((app) => app.stop('SIGKILL')))
    if (redis) await redis.destroy()
    else await deletePrefix(redisUrl, prefix).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

export { closeDb }

/** A delivery as the API stored it, for tests that check a mail's fate. */
export interface DeliveryRow {
  id: string
  status: string
  attempts: number
  last_error: string | null
}

/** The deliveries the API stored, read from its SQLite file. */
export function deliveries(s: Pick<System, 'openDb'>): DeliveryRow[] {
  const db = s.openDb()
  try {
    return db.$client.prepare<[], DeliveryRow>('SELECT id, status, attempts, last_error FROM deliveries ORDER BY id').all()
  } finally {
    closeDb(db)
  }
}
