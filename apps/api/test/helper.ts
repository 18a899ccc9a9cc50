import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDb, createDb, insertUser, migrate, newId, type Db, type UserRole } from '@replyflow/db'
import type { FlowDefinition } from '@replyflow/flow'
import { createProducer, producerConnection, QUEUES } from '@replyflow/queue'
import { Queue } from 'bullmq'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import pino, { type Logger } from 'pino'
import { buildApp } from '../src/app.ts'
import { boundedProducer } from '../src/bounded-producer.ts'
import { openSession } from '../src/auth/auth.service.ts'
import { hashPassword } from '../src/auth/password.ts'
import { parseConfig, type Config } from '../src/config.ts'
import type { AppDeps } from '../src/deps.ts'

/** The Redis every test uses; each test app gets its own key prefix. */
export const REDIS_URL = 'redis://127.0.0.1:6379'

/** The worker token test apps accept on `/internal/v1`. */
export const WORKER_TOKEN = 'test-worker-token-0123456789abcdef'

/** The golden reference flow of DESIGN.md §4. */
export function referenceFlow(): FlowDefinition {
  const path = new URL('../../../packages/flow/fixtures/reference.flow.json', import.meta.url)
  return JSON.parse(readFileSync(path, 'utf8')) as FlowDefinition
}

/** A logged-in user and the headers that carry their session. */
export interface TestUser {
  id: string
  email: string
  password: string
  role: UserRole
  headers: { cookie: string }
}

/** A built app on a fresh SQLite file and a unique Redis prefix. */
export interface TestApp {
  app: FastifyInstance
  deps: AppDeps
  db: Db
  config: Config
  /** Queues with the app's prefix, to look at what was enqueued. */
  queues: { runs: Queue; mail: Queue }
  /** The app's clock; tests move it forward explicitly. */
  clock: { now: number }
  admin: TestUser
  /** Creates a user with a session (without going through the rate-limited login). */
  createUser(role: UserRole, email?: string): Promise<TestUser>
  /** `app.inject` as the admin, JSON in and out. */
  request(options: InjectOptions & { as?: TestUser | null }): Promise<LightMyRequestResponse>
  /** Headers of a worker on `/internal/v1`. */
  workerHeaders: { authorization: string }
  close(): Promise<void>
}

/**
 * Builds the app the way `main.ts` does, on a temp database and a unique queue
 * prefix. `producerRedisUrl` points the producer elsewhere (e.g. at a closed port, to act out a Redis outage).
 */
export async function buildTestApp(env: Record<string, string> = {}, options: { producerRedisUrl?: string; logger?: Logger } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'rf-api-'))
  const config = parseConfig({ DATABASE_PATH: join(dir, 'replyflow.db'), WORKER_TOKEN, REDIS_URL, ...env })
  const db = createDb(config.databasePath)
  migrate(db)
  const prefix = `rf-test-${randomUUID()}`
  const redis = producerConnection(options.producerRedisUrl ?? REDIS_URL)
  // An unreachable Redis is part of some tests; its connection errors are expected there.
  redis.on('error', () => {})
  const producer = boundedProducer(createProducer({ connection: redis, prefix }), 1_000)
  const clock = { now: Date.parse('2025-01-15T10:00:00.000Z') }
  const logger = options.logger ?? pino({ level: 'silent' })
  const deps: AppDeps = { config, db, producer, redis, logger, now: () => clock.now }
  const app = await buildApp(deps)
  await app.ready()
  const queueConnection = { url: REDIS_URL }
  const queues = {
    runs: new Queue(QUEUES.flowRuns, { connection: queueConnection, prefix }),
    mail: new Queue(QUEUES.mailOut, { connection: queueConnection, prefix }),
  }

  const createUser = async (role: UserRole, email = `${role}-${randomUUID().slice(0, 8)}@example.com`): Promise<TestUser> => {
    const password = `pw-${randomUUID()}`
    const id = newId(clock.now)
    insertUser(db, { id, email, name: email.split('@')[0] ?? email, role, passwordHash: await hashPassword(password), now: new Date(clock.now).toISOString() })
    const { token } = openSession(deps, id)
    return { id, email, password, role, headers: { cookie: `rf_session=${token}` } }
  }
  const admin = await createUser('admin', 'admin@example.com')

  return {
    app,
    deps,
    db,
    config,
    queues,
    clock,
    admin,
    createUser,
    workerHeaders: { authorization: `Bearer ${WORKER_TOKEN}` },
    request({ as, headers, ...options }) {
      const auth = as === null ? {} : (as ?? admin).headers
      return app.inject({ ...options, headers: { ...auth, ...headers } })
    },
    async close() {
      await app.close()
      await producer.close()
      await Promise.all([queues.runs.obliterate({ force: true }), queues.mail.obliterate({ force: true })])
      await Promise.all([queues.runs.close(), queues.mail.close()])
      redis.disconnect()
      closeDb(db)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The parsed JSON body of an answer. */
export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json<T>()
}

/** Creates an agent through the API and returns it. */
export async function createAgent(t: TestApp, name: string, email = `${name.toLowerCase()}@team.example.com`, extra: Record<string, unknown> = {}) {
  const res = await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name, email, ...extra } })
  if (res.statusCode !== 201) throw new Error(`agent not created: ${res.body}`)
  return res.json<{ id: string; name: string; email: string; status: string }>()
}

/** Creates a flow, saves `definition` (the reference flow by default) and publishes it. */
export async function createPublishedFlow(t: TestApp, options: { name?: string; trigger?: string; definition?: FlowDefinition } = {}) {
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/flows',
    payload: { name: options.name ?? 'Reference', channel: 'email', trigger: options.trigger ?? 'manual' },
  })
  const flow = created.json<{ id: string }>()
  const published = await t.request({ method: 'POST', url: `/api/v1/flows/${flow.id}/versions`, payload: { definition: options.definition ?? referenceFlow() } })
  if (published.statusCode !== 201) throw new Error(`flow not published: ${published.body}`)
  return { flowId: flow.id, version: published.json<{ id: string; version: number }>() }
}

/** Starts a manual run and returns its id. */
export async function startRun(t: TestApp, flowId: string, content = 'I would like a refund', headers: Record<string, string> = {}) {
  const res = await t.request({
    method: 'POST',
    url: `/api/v1/flows/${flowId}/runs`,
    payload: { input: { customer: { name: 'Ada', email: 'ada@customer.example.com' }, message: { subject: 'My order', content } } },
    headers,
  })
  if (res.statusCode !== 202) throw new Error(`run not started: ${res.body}`)
  return res.json<{ id: string; status: string }>().id
}

/** Polls `check` until it returns true or the deadline passes (no fixed sleeps). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Reports a run as a worker would when its Message conversion node mailed `recipients`:
 * succeeded, no steps, one deliver_message effect. Answers the report's response.
 */
export function reportNotification(
  t: TestApp,
  runId: string | undefined,
  recipients: { agentId: string; name: string; address: string }[],
  message: { subject: string; text: string },
): Promise<LightMyRequestResponse> {
  const effect = { type: 'deliver_message', nodeId: 'convert', channel: 'email', recipients, message }
  return t.request({
    method: 'POST',
    url: '/internal/v1/runs/report',
    as: null,
    headers: t.workerHeaders,
    payload: { reports: [{ runId, status: 'succeeded', steps: [], effects: [effect], error: null }] },
  })
}
