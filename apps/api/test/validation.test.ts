import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createPublishedFlow, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

describe('validation messages', () => {
  it('names an unknown body field', async () => {
    const res = await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'Refunds', channel: 'email', trigger: 'manual', foo: 1 } })
    expect(res.statusCode).toBe(400)
    expect(res.json().error).toEqual({
      code: 'API_VALIDATION',
      message: 'body/foo: unknown property "foo"',
      details: [{ path: 'body/foo', message: 'unknown property "foo"' }],
    })
  })

  it('gives one clear message for a nullable field instead of the union noise', async () => {
    const { flowId } = await createPublishedFlow(t)
    const res = await t.request({
      method: 'POST',
      url: `/api/v1/flows/${flowId}/runs`,
      payload: { input: { customer: { email: 42 }, message: { content: 'hi' } } },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toBe('body/input/customer/email: must be string or null')
    expect(res.json().error.details).toEqual([{ path: 'body/input/customer/email', message: 'must be string or null' }])
  })

  it('lists the allowed values of an enum', async () => {
    const res = await t.request({ method: 'PUT', url: '/api/v1/settings/offline-email', payload: { senderMode: 'robot', teamAddress: 'support@example.com' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toBe('body/senderMode: must be one of "team", "agent"')
  })
})

describe('names', () => {
  const blank = '   \t '
  const onlySpaces = { code: 'API_VALIDATION', message: 'body/name: must have at least one character that is not a space' }

  it('refuses a flow, an agent or an API key named only with spaces, and stores nothing', async () => {
    const flow = await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: blank, channel: 'email', trigger: 'manual' } })
    const agent = await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: blank, email: 'ann@team.example.com' } })
    const key = await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: blank } })
    for (const res of [flow, agent, key]) {
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toMatchObject(onlySpaces)
    }
    expect((await t.request({ method: 'GET', url: '/api/v1/flows' })).json().items).toEqual([])
    expect((await t.request({ method: 'GET', url: '/api/v1/agents' })).json().items).toEqual([])
    expect((await t.request({ method: 'GET', url: '/api/v1/api-keys' })).json().items).toEqual([])
  })

  it('refuses renaming a flow or an agent to spaces', async () => {
    const flow = (await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'Refunds', channel: 'email', trigger: 'manual' } })).json()
    const agent = (await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: 'Ann', email: 'ann@team.example.com' } })).json()
    const renamedFlow = await t.request({ method: 'PATCH', url: `/api/v1/flows/${flow.id}`, payload: { name: blank } })
    const renamedAgent = await t.request({ method: 'PATCH', url: `/api/v1/agents/${agent.id}`, payload: { name: blank } })
    expect(renamedFlow.json().error).toMatchObject(onlySpaces)
    expect(renamedAgent.json().error).toMatchObject(onlySpaces)
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json().name).toBe('Refunds')
    expect((await t.request({ method: 'GET', url: `/api/v1/agents/${agent.id}` })).json().name).toBe('Ann')
  })

  it('stores names without surrounding spaces', async () => {
    const flow = await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: '  Refunds ', channel: 'email', trigger: 'manual' } })
    const key = await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: ' CI ' } })
    expect(flow.json().name).toBe('Refunds')
    expect(key.json().name).toBe('CI')
  })
})
