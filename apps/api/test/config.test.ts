import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../src/config.ts'

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('parseConfig', () => {
  it('uses the documented defaults and turns the dev mailbox on without a Mailgun key', () => {
    const config = parseConfig({})
    expect(config).toMatchObject({
      port: 3000,
      databasePath: './data/replyflow.db',
      redisUrl: 'redis://127.0.0.1:6379',
      mailgun: { apiKey: null, domain: null, url: 'https://api.mailgun.net', webhookSigningKey: null },
      devMailbox: true,
      admin: null,
      workerToken: null,
      queuePrefix: 'replyflow',
      automatedMailCapPerHour: 30,
      workLeaseMs: 600_000,
      logLevel: 'info',
    })
  })

  it('puts the database in DATA_DIR unless DATABASE_PATH says where', () => {
    expect(parseConfig({ DATA_DIR: '/srv/replyflow-b/' }).databasePath).toBe('/srv/replyflow-b/replyflow.db')
    expect(parseConfig({ DATA_DIR: '/srv/replyflow-b', DATABASE_PATH: '/var/db/rf.sqlite' }).databasePath).toBe('/var/db/rf.sqlite')
  })

  it('reads every variable', () => {
    const config = parseConfig({
      PORT: '8080',
      DATABASE_PATH: '/var/lib/replyflow/db.sqlite',
      REDIS_URL: 'redis://redis:6379/1',
      MAILGUN_API_KEY: 'key-123',
      MAILGUN_DOMAIN: 'mg.example.com',
      MAILGUN_URL: 'https://api.eu.mailgun.net/',
      MAILGUN_WEBHOOK_SIGNING_KEY: 'signing',
      ADMIN_EMAIL: 'Boss@Example.com',
      ADMIN_PASSWORD: 'correct horse',
      WORKER_TOKEN: 'a-long-worker-token-1234',
      METRICS_TOKEN: 'a-long-metrics-token-567',
      TRUST_PROXY: '10.0.0.2, 172.16.0.0/12',
      QUEUE_PREFIX: 'rf-staging',
      AUTOMATED_MAIL_CAP_PER_HOUR: '0',
      WORK_LEASE_MS: '120000',
      LOG_LEVEL: 'debug',
    })
    expect(config).toEqual({
      port: 8080,
      databasePath: '/var/lib/replyflow/db.sqlite',
      redisUrl: 'redis://redis:6379/1',
      mailgun: { apiKey: 'key-123', domain: 'mg.example.com', url: 'https://api.eu.mailgun.net', webhookSigningKey: 'signing' },
      devMailbox: false,
      admin: { email: 'boss@example.com', password: 'correct horse' },
      workerToken: 'a-long-worker-token-1234',
      metricsToken: 'a-long-metrics-token-567',
      trustProxy: ['10.0.0.2', '172.16.0.0/12'],
      queuePrefix: 'rf-staging',
      automatedMailCapPerHour: 0,
      workLeaseMs: 120_000,
      logLevel: 'debug',
    })
  })

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({ PORT: 'eighty', REDIS_URL: 'localhost', ADMIN_EMAIL: 'not-an-email', WORKER_TOKEN: 'short', METRICS_TOKEN: 'short', WORK_LEASE_MS: '10' })
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'ADMIN_EMAIL', 'WORKER_TOKEN', 'METRICS_TOKEN', 'WORK_LEASE_MS']))
  })

  it('names a bad value of a list once, with the values allowed, and never echoes a secret', () => {
    const problems = problemsOf({ LOG_LEVEL: 'INFO', ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'hunter2', METRICS_TOKEN: 'tok-secret' })
    expect(problems.filter((p) => p.startsWith('LOG_LEVEL'))).toEqual(['LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "INFO")'])
    expect(problems.join('\n')).not.toMatch(/hunter2|tok-secret/)
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^ADMIN_PASSWORD: .*\(got 7 characters\)$/)]))
  })

  it('trusts no proxy unless TRUST_PROXY names them: addresses or ranges, never any (a client could name itself)', () => {
    expect(parseConfig({}).trustProxy).toBe(false)
    expect(parseConfig({ TRUST_PROXY: '::1, fd00::/8' }).trustProxy).toEqual(['::1', 'fd00::/8'])
    for (const value of ['true', '1', 'cafe', 'my proxy', '10.0.0.0/33', '10.0.0.2/8/1']) {
      expect(problemsOf({ TRUST_PROXY: value }), value).toEqual([expect.stringMatching(/^TRUST_PROXY: /)])
    }
  })

  it('requires the webhook signing key and the domain when a Mailgun API key is set', () => {
    const problems = problemsOf({ MAILGUN_API_KEY: 'key-123' })
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^MAILGUN_WEBHOOK_SIGNING_KEY: required/)
    expect(problems[1]).toMatch(/^MAILGUN_DOMAIN: required/)
  })

  it('requires ADMIN_EMAIL and ADMIN_PASSWORD together', () => {
    expect(problemsOf({ ADMIN_EMAIL: 'a@example.com' })).toEqual(['ADMIN_EMAIL, ADMIN_PASSWORD: set both or neither'])
  })
})
