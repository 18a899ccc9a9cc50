import { Counter, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { startHealthServer, type HealthServer, type ReadinessChecks } from './health-server.ts'

describe('worker health server', () => {
  let server: HealthServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function start(checks: ReadinessChecks, metricsToken: string | null = null) {
    const registry = new Registry()
    new Counter({ name: 'replyflow_test_total', help: 'a test counter', registers: [registry] }).inc(3)
    server = await startHealthServer({ port: 0, host: '127.0.0.1', registry, checks: async () => checks, metricsToken })
    return `http://127.0.0.1:${server.port}`
  }

  it('is alive, ready when Redis and the API answer, and serves Prometheus text', async () => {
    const base = await start({ redis: true, api: true, mail: true })
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: true, api: true, mail: true } })
    const metrics = await fetch(`${base}/metrics`)
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    expect(await metrics.text()).toContain('replyflow_test_total 3')
  })

  it('is not ready while the API is away, nor while draining', async () => {
    const base = await start({ redis: true, api: false, mail: true })
    const away = await fetch(`${base}/readyz`)
    expect(away.status).toBe(503)
    expect(await away.json()).toEqual({ status: 'unavailable', checks: { redis: true, api: false, mail: true } })
    server?.drain()
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'draining' })
  })

  it('wants METRICS_TOKEN for /metrics when one is set, and keeps health open', async () => {
    const token = 'prometheus-scrape-token-0123456789'
    const base = await start({ redis: true, api: true, mail: true }, token)
    const anonymous = await fetch(`${base}/metrics`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ error: { code: 'WORKER_METRICS_UNAUTHORIZED' } })
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all-000' } })).status).toBe(401)
    const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('replyflow_test_total 3')
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
  })
})
