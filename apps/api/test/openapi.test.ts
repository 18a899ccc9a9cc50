import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  // The dev mailbox is mounted (no MAILGUN_API_KEY): its routes must still stay out of the document.
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

interface Operation {
  tags?: string[]
  security?: unknown[]
  description?: string
}

async function operations(): Promise<{ method: string; path: string; op: Operation }[]> {
  const doc = (await t.request({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>()
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))
}

describe('the OpenAPI document', () => {
  it('leaves out the workers’ surface and the dev mailbox', async () => {
    const paths = (await operations()).map(({ path }) => path)
    expect(paths).toContain('/api/v1/flows')
    expect(paths.filter((path) => path.startsWith('/internal/') || path.startsWith('/dev/'))).toEqual([])
  })

  it('tags every operation with a tag it describes', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ tags: { name: string }[] }>()
    const described = new Set(doc.tags.map((tag) => tag.name))
    const untagged = (await operations()).filter(({ op }) => !op.tags?.length || !op.tags.every((tag) => described.has(tag)))
    expect(untagged.map(({ method, path }) => `${method} ${path}`)).toEqual([])
  })

  it('shows webhooks, login and health without a lock, and says how webhooks are authenticated', async () => {
    const all = await operations()
    const unlocked = all.filter(({ op }) => Array.isArray(op.security) && op.security.length === 0).map(({ method, path }) => `${method} ${path}`)
    expect(unlocked.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'POST /api/v1/auth/login',
        'POST /webhooks/mailgun/events',
        'POST /webhooks/mailgun/inbound',
        'POST /webhooks/mailgun/inbound/mime',
      ].sort(),
    )
    for (const { op } of all.filter(({ path }) => path.startsWith('/webhooks/'))) expect(op.description).toContain("Mailgun's signature")
  })
})
