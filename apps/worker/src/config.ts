import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { DEV_MAILBOX, devMailboxApiKey } from '@replyflow/mail'

// The only module of the worker that reads process.env (STYLE.md, "Config and logging").

/** Where the worker serves /healthz, /readyz and /metrics unless WORKER_PORT says otherwise (the API has 3000). */
export const DEFAULT_WORKER_PORT = 3001

const EnvSchema = Type.Object({
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  QUEUE_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.-]+$', default: 'replyflow' }),
  API_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3000' }),
  WORKER_TOKEN: Type.String({ minLength: 16 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1_000, default: 50 }),
  WORKER_PORT: Type.Integer({ minimum: 0, maximum: 65_535, default: DEFAULT_WORKER_PORT }),
  WORKER_LOCK_MS: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 15_000 }),
  WORKER_CLOSE_TIMEOUT_MS: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 30_000 }),
  MAILGUN_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  MAILGUN_DOMAIN: Type.Optional(Type.String({ minLength: 1 })),
  MAILGUN_URL: Type.String({ pattern: '^https?://', default: 'https://api.mailgun.net' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
})
type Env = Static<typeof EnvSchema>

/** The worker's configuration, parsed once at start from the environment. */
export interface WorkerConfig {
  redisUrl: string
  /** BullMQ key prefix; must match the API's. */
  queuePrefix: string
  /** Base URL of the API, for `/internal/v1` and the dev mailbox. */
  apiUrl: string
  workerToken: string
  /** Jobs this process works on at once, per queue. */
  concurrency: number
  /** Port of the health and metrics server; 0 picks a free one. */
  port: number
  /** When set, `/metrics` wants `Authorization: Bearer <it>` (as the API's does); unset: open, for a private network. */
  metricsToken: string | null
  /** BullMQ lock duration: a killed worker's jobs move to another within about 1.5× this. */
  lockMs: number
  /**
   * On SIGTERM, how long in-flight jobs may take to finish (and connections to
   * close) before the worker drops its connections and exits 1; their jobs go
   * to another worker once their locks lapse.
   */
  closeTimeoutMs: number
  /** Where mail goes: Mailgun, or the API's dev mailbox when MAILGUN_API_KEY is unset. */
  mailgun: { apiKey: string; domain: string; url: string; devMailbox: boolean }
  logLevel: string
}

/** Every problem found in the environment, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid worker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const NAMES = Object.keys(EnvSchema.properties)

const HINTS: Record<string, string> = {
  WORKER_TOKEN: "the same value as the API's WORKER_TOKEN, at least 16 characters (`pnpm start` generates one)",
}

function hintFor(name: string): string {
  return HINTS[name] ? ` — ${HINTS[name]}` : ''
}

/** Parses an environment into a `WorkerConfig`, or throws a `ConfigError` listing every problem. */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  // Empty strings count as unset, as in most shells' `VAR= command`.
  const raw = Object.fromEntries(NAMES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])))
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw))
  const problems = [...Value.Errors(EnvSchema, converted)].flatMap((error) => {
    const params: object = error.params
    const missing = 'requiredProperties' in params && Array.isArray(params.requiredProperties) ? params.requiredProperties.map(String) : []
    if (missing.length > 0) return missing.map((name) => `${name}: required, but unset${hintFor(name)}`)
    const name = error.instancePath.replace(/^\//, '')
    return [`${name}: ${error.message} (got ${JSON.stringify(raw[name] ?? null)})${hintFor(name)}`]
  })
  if (problems.length === 0 && Value.Check(EnvSchema, converted)) {
    if (converted.MAILGUN_API_KEY && !converted.MAILGUN_DOMAIN) problems.push('MAILGUN_DOMAIN: required when MAILGUN_API_KEY is set')
    if (problems.length === 0) return toConfig(converted)
  }
  throw new ConfigError(problems)
}

function toConfig(env: Env): WorkerConfig {
  const apiUrl = env.API_URL.replace(/\/+$/, '')
  const mailgun =
    env.MAILGUN_API_KEY && env.MAILGUN_DOMAIN
      ? { apiKey: env.MAILGUN_API_KEY, domain: env.MAILGUN_DOMAIN, url: env.MAILGUN_URL.replace(/\/+$/, ''), devMailbox: false }
      : { apiKey: devMailboxApiKey(env.WORKER_TOKEN), domain: DEV_MAILBOX.domain, url: `${apiUrl}${DEV_MAILBOX.path}`, devMailbox: true }
  return {
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    apiUrl,
    workerToken: env.WORKER_TOKEN,
    concurrency: env.WORKER_CONCURRENCY,
    port: env.WORKER_PORT,
    metricsToken: env.METRICS_TOKEN ?? null,
    lockMs: env.WORKER_LOCK_MS,
    closeTimeoutMs: env.WORKER_CLOSE_TIMEOUT_MS,
    mailgun,
    logLevel: env.LOG_LEVEL,
  }
}

/** Reads `process.env`; on a bad environment prints every problem and exits 1. */
export function loadWorkerConfig(): WorkerConfig {
  try {
    return parseWorkerConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}
