import { isIP } from 'node:net'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

// The only module that reads process.env (STYLE.md, "Config and logging").

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_PATH: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  MAILGUN_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  MAILGUN_DOMAIN: Type.Optional(Type.String({ minLength: 1 })),
  MAILGUN_URL: Type.String({ pattern: '^https?://', default: 'https://api.mailgun.net' }),
  MAILGUN_WEBHOOK_SIGNING_KEY: Type.Optional(Type.String({ minLength: 1 })),
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  WORKER_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  TRUST_PROXY: Type.Optional(Type.String({ minLength: 1 })),
  QUEUE_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.-]+$', default: 'replyflow' }),
  AUTOMATED_MAIL_CAP_PER_HOUR: Type.Integer({ minimum: 0, default: 30 }),
  WORK_LEASE_MS: Type.Integer({ minimum: 1_000, default: 600_000 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
})
type Env = Static<typeof EnvSchema>

/** The API's configuration, parsed once at start from the environment. */
export interface Config {
  port: number
  databasePath: string
  redisUrl: string
  mailgun: {
    /** Unset: outbound mail goes to the built-in dev mailbox. */
    apiKey: string | null
    domain: string | null
    url: string
    /** Verifies Mailgun's webhook signatures; required when `apiKey` is set. */
    webhookSigningKey: string | null
  }
  /** On when no Mailgun API key is configured: mail goes to the dev mailbox at `/dev/mailgun`. */
  devMailbox: boolean
  /** The first admin, created on first start when there is no user yet. */
  admin: { email: string; password: string } | null
  /** Bearer token of workers on `/internal/v1`; unset: the worker surface refuses every call. */
  workerToken: string | null
  /** Bearer token that opens `/metrics` and nothing else (for Prometheus); unset: only an admin's key does. */
  metricsToken: string | null
  /**
   * Which proxies' `X-Forwarded-*` headers to believe (Fastify's `trustProxy`):
   * their addresses and CIDR ranges, never "any" (a client could then name its
   * own address). Behind a TLS proxy it gives each client its own address, for
   * per-client login limits and logs.
   */
  trustProxy: false | string[]
  /** BullMQ key prefix; workers must use the same (tests use a unique one). */
  queuePrefix: string
  /** Agent notifications one address may get per hour before more are held back; 0 turns the cap off. */
  automatedMailCapPerHour: number
  /**
   * A run `running` or a delivery `sending` this long with no live job (its
   * worker died, or its job failed for good) is handed to the queue again.
   */
  workLeaseMs: number
  /** pino's level; `debug` adds a line per read request. */
  logLevel: string
}

/** Every problem found in the environment, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const NAMES = Object.keys(EnvSchema.properties)

/** Parses the environment into a `Config`, or throws a `ConfigError` listing every problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most shells' `VAR= command`.
  const raw = Object.fromEntries(NAMES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])))
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw))
  // One line per variable (a union reports each of its members), secrets never echoed.
  const problems = [...new Map([...Value.Errors(EnvSchema, converted)].map((error) => {
    const name = error.instancePath.replace(/^\//, '')
    return [name, problemOf(name, error.message, raw[name])] as const
  })).values()]
  if (problems.length === 0 && Value.Check(EnvSchema, converted)) {
    problems.push(...crossFieldProblems(converted))
    if (problems.length === 0) return toConfig(converted)
  }
  throw new ConfigError(problems)
}

/** Variables whose values are secrets: a problem with one says its length, not its value (logs are read by many). */
const SECRETS = new Set(['ADMIN_PASSWORD', 'WORKER_TOKEN', 'METRICS_TOKEN', 'MAILGUN_API_KEY', 'MAILGUN_WEBHOOK_SIGNING_KEY'])

/** The values a variable may take when its schema lists them (a union of literals), e.g. LOG_LEVEL's. */
function allowedValues(name: string): string[] | null {
  const schema: unknown = (EnvSchema.properties as Record<string, unknown>)[name]
  const members = typeof schema === 'object' && schema !== null && 'anyOf' in schema && Array.isArray(schema.anyOf) ? schema.anyOf : []
  const values = members.map((member: unknown) => (typeof member === 'object' && member !== null && 'const' in member ? String(member.const) : null))
  return values.length > 0 && values.every((value) => value !== null) ? (values as string[]) : null
}

function problemOf(name: string, message: string, value: unknown): string {
  const allowed = allowedValues(name)
  const got = SECRETS.has(name) && typeof value === 'string' ? `${value.length} characters` : JSON.stringify(value ?? null)
  return `${name}: ${allowed ? `must be one of ${allowed.join(', ')}` : message} (got ${got})`
}

function crossFieldProblems(env: Env): string[] {
  const problems: string[] = []
  if (env.MAILGUN_API_KEY && !env.MAILGUN_WEBHOOK_SIGNING_KEY) {
    problems.push('MAILGUN_WEBHOOK_SIGNING_KEY: required when MAILGUN_API_KEY is set (Mailgun → Sending → Webhooks → HTTP webhook signing key)')
  }
  if (env.MAILGUN_API_KEY && !env.MAILGUN_DOMAIN) {
    problems.push('MAILGUN_DOMAIN: required when MAILGUN_API_KEY is set')
  }
  const proxies = parseTrustProxy(env.TRUST_PROXY)
  if (proxies && !proxies.every(isAddressOrRange)) {
    problems.push(`TRUST_PROXY: the proxies' addresses or CIDR ranges, comma-separated, e.g. 10.0.0.2, 172.16.0.0/12 (got ${JSON.stringify(env.TRUST_PROXY)})`)
  }
  if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
    problems.push('ADMIN_EMAIL, ADMIN_PASSWORD: set both or neither')
  }
  return problems
}

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  return value === undefined ? false : value.split(',').map((address) => address.trim())
}

/** An IP address, or a CIDR range of them (`172.16.0.0/12`). */
function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, extra] = text.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return false
  return prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
}

function toConfig(env: Env): Config {
  return {
    port: env.PORT,
    // The data folder holds the database (attachments go beside it) unless DATABASE_PATH puts it elsewhere.
    databasePath: env.DATABASE_PATH ?? `${env.DATA_DIR.replace(/\/+$/, '')}/replyflow.db`,
    redisUrl: env.REDIS_URL,
    mailgun: {
      apiKey: env.MAILGUN_API_KEY ?? null,
      domain: env.MAILGUN_DOMAIN ?? null,
      url: env.MAILGUN_URL.replace(/\/+$/, ''),
      webhookSigningKey: env.MAILGUN_WEBHOOK_SIGNING_KEY ?? null,
    },
    devMailbox: !env.MAILGUN_API_KEY,
    admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD } : null,
    workerToken: env.WORKER_TOKEN ?? null,
    metricsToken: env.METRICS_TOKEN ?? null,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    queuePrefix: env.QUEUE_PREFIX,
    automatedMailCapPerHour: env.AUTOMATED_MAIL_CAP_PER_HOUR,
    workLeaseMs: env.WORK_LEASE_MS,
    logLevel: env.LOG_LEVEL,
  }
}

/** Reads `process.env`; on a bad environment prints every problem and exits 1. */
export function loadConfig(): Config {
  try {
    return parseConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}
