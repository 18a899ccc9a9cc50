import { devMailboxApiKey } from '@replyflow/mail'
import { describe, expect, it } from 'vitest'
import { ConfigError, DEFAULT_WORKER_PORT, parseWorkerConfig } from './config.ts'

const TOKEN = 'a-worker-token-of-32-characters!'

function problems(env: Record<string, string>): string[] {
  try {
    parseWorkerConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('parseWorkerConfig', () => {
  it('needs only the worker token, and sends mail to the dev mailbox without a Mailgun key', () => {
    const config = parseWorkerConfig({ WORKER_TOKEN: TOKEN })
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'replyflow',
      apiUrl: 'http://127.0.0.1:3000',
      concurrency: 50,
      port: DEFAULT_WORKER_PORT,
      lockMs: 15_000,
      closeTimeoutMs: 30_000,
      mailgun: { apiKey: devMailboxApiKey(TOKEN), domain: 'dev.replyflow.local', url: 'http://127.0.0.1:3000/dev/mailgun', devMailbox: true },
    })
  })

  it("sends to the dev mailbox with a key only the worker token's holders can derive", () => {
    const key = parseWorkerConfig({ WORKER_TOKEN: TOKEN }).mailgun.apiKey
    expect(key).toHaveLength(43)
    expect(parseWorkerConfig({ WORKER_TOKEN: `${TOKEN}-other` }).mailgun.apiKey).not.toBe(key)
  })

  it('uses Mailgun when a key and domain are set', () => {
    const config = parseWorkerConfig({
      WORKER_TOKEN: TOKEN,
      MAILGUN_API_KEY: 'key-1',
      MAILGUN_DOMAIN: 'mg.example.com',
      MAILGUN_URL: 'https://api.eu.mailgun.net/',
    })
    expect(config.mailgun).toEqual({ apiKey: 'key-1', domain: 'mg.example.com', url: 'https://api.eu.mailgun.net', devMailbox: false })
  })

  it('reads numbers, the queue prefix and the API URL', () => {
    const config = parseWorkerConfig({
      WORKER_TOKEN: TOKEN,
      WORKER_CONCURRENCY: '8',
      WORKER_PORT: '0',
      WORKER_LOCK_MS: '2000',
      WORKER_CLOSE_TIMEOUT_MS: '5000',
      QUEUE_PREFIX: 'rf-test',
      API_URL: 'http://api:3000/',
      METRICS_TOKEN: 'a-long-metrics-token-567',
    })
    expect(config).toMatchObject({ concurrency: 8, port: 0, lockMs: 2_000, closeTimeoutMs: 5_000, queuePrefix: 'rf-test', apiUrl: 'http://api:3000', metricsToken: 'a-long-metrics-token-567' })
    expect(parseWorkerConfig({ WORKER_TOKEN: TOKEN }).metricsToken).toBeNull()
  })

  it('lists every problem at once, naming each variable', () => {
    expect(problems({ WORKER_CONCURRENCY: 'many', REDIS_URL: 'localhost:6379', MAILGUN_API_KEY: 'k' })).toEqual([
      expect.stringMatching(/^WORKER_TOKEN: required, but unset/),
      expect.stringMatching(/^REDIS_URL: .*"localhost:6379"/),
      expect.stringMatching(/^WORKER_CONCURRENCY: .*"many"/),
    ])
    expect(problems({ WORKER_TOKEN: TOKEN, MAILGUN_API_KEY: 'k' })).toEqual(['MAILGUN_DOMAIN: required when MAILGUN_API_KEY is set'])
  })
})
