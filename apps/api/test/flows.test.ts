import type { FlowDefinition } from '@replyflow/flow'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, referenceFlow, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

const createFlow = async (body: Record<string, unknown> = {}) => {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/flows',
    payload: { name: 'Refunds', channel: 'email', trigger: 'email.received', ...body },
  })
  expect(res.statusCode).toBe(201)
  return res.json()
}

const publish = (id: string, body: Record<string, unknown> = {}) =>
  t.request({ method: 'POST', url: `/api/v1/flows/${id}/versions`, payload: body })

const saveDraft = (id: string, definition: unknown) =>
  t.request({ method: 'PUT', url: `/api/v1/flows/${id}/draft`, payload: { definition } })

const publishReference = async (id: string, edit?: (definition: FlowDefinition) => void) => {
  const definition = referenceFlow()
  edit?.(definition)
  expect((await saveDraft(id, definition)).statusCode).toBe(200)
  const res = await publish(id)
  expect(res.statusCode).toBe(201)
  return res.json()
}

const flowCount = async () => (await t.request({ method: 'GET', url: '/api/v1/flows' })).json().items.length

describe('flows CRUD', () => {
  it('creates a disabled flow with a Start-only draft and lists it', async () => {
    const flow = await createFlow()
    expect(flow).toMatchObject({ name: 'Refunds', channel: 'email', trigger: 'email.received', enabled: false, activeVersion: null })
    expect(flow.draft.nodes).toEqual([{ id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} }])
    const list = await t.request({ method: 'GET', url: '/api/v1/flows' })
    expect(list.json()).toEqual({ items: [flow] })
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json()).toEqual(flow)
  })

  it('renames a flow and deletes it', async () => {
    const flow = await createFlow()
    const renamed = await t.request({ method: 'PATCH', url: `/api/v1/flows/${flow.id}`, payload: { name: 'Refund requests' } })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json()).toMatchObject({ name: 'Refund requests', disabledFlows: [] })
    expect((await t.request({ method: 'DELETE', url: `/api/v1/flows/${flow.id}` })).statusCode).toBe(204)
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).statusCode).toBe(404)
  })

  it('answers 404 with the resource named for an unknown flow', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/flows/01NOPE' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error).toEqual({ code: 'API_FLOW_NOT_FOUND', message: 'no flow "01NOPE"' })
    expect((await t.request({ method: 'DELETE', url: '/api/v1/flows/01NOPE' })).statusCode).toBe(404)
  })

  it('refuses bad input with 400 and stores nothing', async () => {
    for (const payload of [
      { name: 'x', channel: 'fax', trigger: 'manual' },
      { name: 'x', channel: 'email', trigger: 'sometimes' },
      { name: '', channel: 'email', trigger: 'manual' },
      { name: '<script>alert(1)</script>', channel: 'email', trigger: 'manual' },
      { name: 'x', channel: 'email', trigger: 'manual', enabled: true },
    ]) {
      const res = await t.request({ method: 'POST', url: '/api/v1/flows', payload })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('API_VALIDATION')
    }
    expect(await flowCount()).toBe(0)
  })

  it('is for admins only: agents get 403, anonymous callers 401', async () => {
    const agent = await t.createUser('agent')
    expect((await t.request({ method: 'GET', url: '/api/v1/flows', as: agent })).statusCode).toBe(403)
    expect((await t.request({ method: 'GET', url: '/api/v1/flows', as: null })).statusCode).toBe(401)
  })
})

describe('drafts', () => {
  it('saves a draft with issues and lists every issue', async () => {
    const flow = await createFlow()
    const definition = referenceFlow()
    definition.nodes = definition.nodes.filter((node) => node.id !== 'end')
    definition.edges = definition.edges.filter((edge) => edge.target !== 'end')
    const res = await saveDraft(flow.id, definition)
    expect(res.statusCode).toBe(200)
    expect(res.json().definition).toEqual(definition)
    expect(res.json().issues.length).toBeGreaterThan(0)
    expect(res.json().issues[0]).toHaveProperty('code')
    const stored = (await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json()
    expect(stored.draft).toEqual(definition)
  })

  it('answers a valid draft with no issues', async () => {
    const flow = await createFlow()
    const res = await saveDraft(flow.id, referenceFlow())
    expect(res.json().issues).toEqual([])
  })

  it('refuses a draft for another channel with 422 and keeps the old draft', async () => {
    const flow = await createFlow()
    const res = await saveDraft(flow.id, { ...referenceFlow(), channel: 'sms' })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('API_FLOW_CHANNEL')
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json().draft).toEqual(flow.draft)
  })

  it('refuses a structurally broken draft with 400', async () => {
    const flow = await createFlow()
    const res = await saveDraft(flow.id, { schemaVersion: 2, nodes: 'many' })
    expect(res.statusCode).toBe(400)
  })
})

describe('publishing versions', () => {
  it('publishes the draft as version 1, active, and enables the flow', async () => {
    const flow = await createFlow()
    await saveDraft(flow.id, referenceFlow())
    const res = await publish(flow.id, { name: 'First', description: 'refunds go straight to agents' })
    expect(res.statusCode).toBe(201)
    const version = res.json()
    expect(version).toMatchObject({ version: 1, name: 'First', disabledFlows: [] })
    expect(version.checksum).toMatch(/^[0-9a-f]{64}$/)
    expect(typeof version.createdAt).toBe('string')
    const stored = (await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json()
    expect(stored).toMatchObject({ enabled: true, activeVersion: 1, activeVersionId: version.id })
  })

  it('refuses an invalid flow with 422 invalid_flow listing every issue, and creates no version', async () => {
    const flow = await createFlow()
    const definition = referenceFlow()
    const customer = definition.nodes.find((node) => node.id === 'customer')!
    customer.config = { outputs: [{ variable: 'content', category: 'standard', field: 'message.content' }] }
    const convert = definition.nodes.find((node) => node.id === 'convert')!
    convert.config = { output: 'sms' }
    await saveDraft(flow.id, definition)
    const res = await publish(flow.id)
    expect(res.statusCode).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('invalid_flow')
    const codes = error.details.map((issue: { code: string }) => issue.code)
    expect(codes).toContain('FLOW_VAR_PREFIX')
    expect(codes).toContain('FLOW_CHANNEL_MISMATCH')
    expect(error.details.find((issue: { code: string }) => issue.code === 'FLOW_VAR_PREFIX').nodeId).toBe('customer')
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions` })).json().items).toEqual([])
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json()).toMatchObject({ enabled: false, activeVersion: null })
  })

  it('flags markup in a label on the draft and refuses to publish it, so every flow it exports imports again', async () => {
    const flow = await createFlow()
    const definition = referenceFlow()
    definition.nodes.find((node) => node.id === 'customer')!.label = 'Look up <img src=x onerror=alert(1)>'
    const draft = await saveDraft(flow.id, definition)
    expect(draft.statusCode).toBe(200)
    expect(draft.json().issues).toEqual([expect.objectContaining({ code: 'FLOW_MARKUP', nodeId: 'customer' })])
    const res = await publish(flow.id)
    expect(res.statusCode).toBe(422)
    expect(res.json().error.details).toEqual([expect.objectContaining({ code: 'FLOW_MARKUP', nodeId: 'customer' })])
  })

  it('publishes with no body at all, as with {}', async () => {
    const flow = await createFlow()
    await saveDraft(flow.id, referenceFlow())
    const res = await t.request({ method: 'POST', url: `/api/v1/flows/${flow.id}/versions` })
    expect(res.statusCode).toBe(201)
    expect(res.json().version).toBe(1)
  })

  it('publishes a definition sent with the request, saving it as the draft', async () => {
    const flow = await createFlow()
    const res = await publish(flow.id, { definition: referenceFlow() })
    expect(res.statusCode).toBe(201)
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}` })).json().draft).toEqual(referenceFlow())
  })

  it('numbers versions, keeps them immutable, and lists them newest first', async () => {
    const flow = await createFlow()
    const v1 = await publishReference(flow.id)
    const v2 = await publishReference(flow.id, (definition) => {
      definition.nodes.find((node) => node.id === 'check')!.config = { expression: "var_content.contains('money back')" }
    })
    expect([v1.version, v2.version]).toEqual([1, 2])
    expect(v1.checksum).not.toBe(v2.checksum)
    const list = (await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions` })).json().items
    expect(list.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ])
    const one = (await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions/1` })).json()
    expect(one.definition).toEqual(referenceFlow())
    expect(one.createdBy).toBe(t.admin.id)
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions/9` })).statusCode).toBe(404)
  })

  it('rolls back by activating an older version', async () => {
    const flow = await createFlow()
    await publishReference(flow.id)
    await publishReference(flow.id, (definition) => {
      definition.nodes.find((node) => node.id === 'check')!.config = { expression: 'true' }
    })
    const res = await t.request({ method: 'POST', url: `/api/v1/flows/${flow.id}/versions/1/activate`, payload: {} })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: flow.id, activeVersion: 1, enabled: true })
    const missing = await t.request({ method: 'POST', url: `/api/v1/flows/${flow.id}/versions/7/activate`, payload: {} })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('API_VERSION_NOT_FOUND')
  })

  it('refuses to publish a definition equal to the active version with 409 API_NO_CHANGES, creating no version', async () => {
    const flow = await createFlow()
    await publishReference(flow.id)
    for (const body of [{}, { definition: referenceFlow(), name: 'again' }]) {
      const res = await publish(flow.id, body)
      expect(res.statusCode).toBe(409)
      expect(res.json().error).toMatchObject({ code: 'API_NO_CHANGES', details: { activeVersion: 1 } })
    }
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions` })).json().items).toHaveLength(1)
  })

  it('publishes an older definition again once another version is active', async () => {
    const flow = await createFlow()
    await publishReference(flow.id)
    await publishReference(flow.id, (definition) => {
      definition.nodes.find((node) => node.id === 'check')!.config = { expression: 'true' }
    })
    const res = await publish(flow.id, { definition: referenceFlow() })
    expect(res.statusCode).toBe(201)
    expect(res.json().version).toBe(3)
  })

  it('compares two versions node by node and edge by edge', async () => {
    const flow = await createFlow()
    await publishReference(flow.id)
    await publishReference(flow.id, (definition) => {
      definition.nodes.find((node) => node.id === 'check')!.config = { expression: 'true' }
      definition.nodes = definition.nodes.filter((node) => node.id !== 'assign')
      definition.edges = definition.edges.filter((edge) => edge.source !== 'assign' && edge.target !== 'assign')
      definition.edges.push({ id: 'e7', source: 'check', target: 'end', result: 'FALSE' })
    })
    const res = await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions/1/diff/2` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      from: 1,
      to: 2,
      channelChanged: false,
      nodes: { added: [], removed: ['assign'], changed: [{ id: 'check', changes: ['config'] }] },
      edges: { added: ['e7'], removed: ['e4', 'e5'], changed: [] },
    })
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions/1/diff/3` })).statusCode).toBe(404)
  })
})

describe('one enabled flow per trigger', () => {
  it('enabling a flow disables the other one serving the same trigger, and says which', async () => {
    const first = await createFlow({ name: 'First' })
    const second = await createFlow({ name: 'Second' })
    await publishReference(first.id)
    const published = await publishReference(second.id)
    expect(published.disabledFlows).toEqual([{ id: first.id, name: 'First' }])
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${first.id}` })).json().enabled).toBe(false)

    const enabled = await t.request({ method: 'POST', url: `/api/v1/flows/${first.id}/enable`, payload: {} })
    expect(enabled.statusCode).toBe(200)
    expect(enabled.json()).toMatchObject({ id: first.id, enabled: true, disabledFlows: [{ id: second.id, name: 'Second' }] })
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${second.id}` })).json().enabled).toBe(false)
  })

  it('lets any number of manual flows be enabled', async () => {
    const a = await createFlow({ name: 'A', trigger: 'manual' })
    const b = await createFlow({ name: 'B', trigger: 'manual' })
    await publishReference(a.id)
    expect((await publishReference(b.id)).disabledFlows).toEqual([])
    const flows = (await t.request({ method: 'GET', url: '/api/v1/flows' })).json().items
    expect(flows.map((flow: { enabled: boolean }) => flow.enabled)).toEqual([true, true])
  })

  it('moving an enabled flow to a trigger displaces that trigger’s flow', async () => {
    const offline = await createFlow({ name: 'Offline', trigger: 'message.offline' })
    const other = await createFlow({ name: 'Other', trigger: 'manual' })
    await publishReference(offline.id)
    await publishReference(other.id)
    const res = await t.request({ method: 'PATCH', url: `/api/v1/flows/${other.id}`, payload: { trigger: 'message.offline' } })
    expect(res.json().disabledFlows).toEqual([{ id: offline.id, name: 'Offline' }])
  })

  it('re-enables a displaced flow with PATCH { enabled: true }, displacing the other in turn', async () => {
    const first = await createFlow({ name: 'First' })
    const second = await createFlow({ name: 'Second' })
    await publishReference(first.id)
    await publishReference(second.id)
    expect((await publish(first.id)).json().error.code).toBe('API_NO_CHANGES')
    const res = await t.request({ method: 'PATCH', url: `/api/v1/flows/${first.id}`, payload: { enabled: true } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ enabled: true, activeVersion: 1, disabledFlows: [{ id: second.id, name: 'Second' }] })
    const off = await t.request({ method: 'PATCH', url: `/api/v1/flows/${first.id}`, payload: { enabled: false } })
    expect(off.json()).toMatchObject({ enabled: false, disabledFlows: [] })
    const unpublished = await createFlow({ name: 'Third' })
    const refused = await t.request({ method: 'PATCH', url: `/api/v1/flows/${unpublished.id}`, payload: { enabled: true } })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.code).toBe('API_FLOW_NOT_PUBLISHED')
  })

  it('disables a flow, and refuses to enable one never published with 409', async () => {
    const flow = await createFlow()
    const res = await t.request({ method: 'POST', url: `/api/v1/flows/${flow.id}/enable`, payload: {} })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('API_FLOW_NOT_PUBLISHED')
    await publishReference(flow.id)
    const disabled = await t.request({ method: 'POST', url: `/api/v1/flows/${flow.id}/disable` })
    expect(disabled.statusCode).toBe(200)
    expect(disabled.json()).toMatchObject({ enabled: false, disabledFlows: [] })
  })
})

describe('export and import', () => {
  it('exports a flow and imports the file as a new disabled flow', async () => {
    const flow = await createFlow()
    await publishReference(flow.id)
    const exported = await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/export` })
    expect(exported.statusCode).toBe(200)
    expect(exported.headers['content-disposition']).toContain('Refunds.flow.json')
    const file = exported.json()
    expect(file).toMatchObject({ format: 'replyflow.flow', formatVersion: 1, name: 'Refunds', channel: 'email', trigger: 'email.received' })
    expect(file.definition).toEqual(referenceFlow())

    const imported = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: file })
    expect(imported.statusCode).toBe(201)
    expect(imported.json()).toMatchObject({ name: 'Refunds', enabled: false, activeVersion: null, draft: referenceFlow() })
    expect(await flowCount()).toBe(2)
  })

  const file = () => ({ format: 'replyflow.flow', formatVersion: 1, name: 'Imported', channel: 'email', trigger: 'manual', definition: referenceFlow() })

  it('refuses a file of the wrong shape with 400 and stores nothing', async () => {
    for (const payload of [
      { ...file(), format: 'n8n.workflow' },
      { ...file(), definition: { ...referenceFlow(), nodes: [{ id: 'x', type: 'exec_shell', position: { x: 0, y: 0 }, config: {} }] } },
      { ...file(), definition: { ...referenceFlow(), extra: 'field' } },
      [file()],
    ]) {
      const res = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('API_VALIDATION')
    }
    const polluted = JSON.stringify(file()).replace('{', '{"__proto__":{"isAdmin":true},')
    const res = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: polluted, headers: { 'content-type': 'application/json' } })
    expect(res.statusCode).toBe(400)
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    expect(await flowCount()).toBe(0)
  })

  it('refuses script in names and markup in labels, storing nothing', async () => {
    const scriptName = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: { ...file(), name: 'Nice <script>fetch("//evil")</script>' } })
    expect(scriptName.statusCode).toBe(400)
    expect(scriptName.json().error.message).toContain('/name')

    const definition = referenceFlow()
    definition.nodes[1]!.label = '<img src=x onerror=alert(1)>'
    const markup = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: { ...file(), definition } })
    expect(markup.statusCode).toBe(422)
    expect(markup.json().error.code).toBe('API_IMPORT_INVALID')
    expect(markup.json().error.details).toEqual([expect.objectContaining({ code: 'FLOW_MARKUP', nodeId: 'customer' })])
    expect(await flowCount()).toBe(0)
  })

  it('refuses a file whose flow does not validate, with every issue', async () => {
    const definition = referenceFlow()
    definition.edges = []
    const res = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: { ...file(), definition } })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.details.length).toBeGreaterThan(1)
    expect(await flowCount()).toBe(0)
  })

  it('refuses a huge file with 413 and one with too many nodes with 400', async () => {
    const huge = { ...file(), definition: { ...referenceFlow(), nodes: [...referenceFlow().nodes, ...Array.from({ length: 30_000 }, (_, i) => ({ id: `n${i}`, type: 'end', position: { x: i, y: i }, config: {} }))] } }
    const tooLarge = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: huge })
    expect(tooLarge.statusCode).toBe(413)
    expect(tooLarge.json().error.code).toBe('API_BODY_TOO_LARGE')

    const many = { ...file(), definition: { ...referenceFlow(), nodes: Array.from({ length: 1001 }, (_, i) => ({ id: `n${i}`, type: 'end', position: { x: 0, y: 0 }, config: {} })) } }
    const tooMany = await t.request({ method: 'POST', url: '/api/v1/flows/import', payload: many })
    expect(tooMany.statusCode).toBe(400)
    expect(await flowCount()).toBe(0)
  })
})

describe('draft conflicts (baseUpdatedAt)', () => {
  const getFlow = async (id: string) => (await t.request({ method: 'GET', url: `/api/v1/flows/${id}` })).json()
  const saveOnBase = (id: string, definition: unknown, baseUpdatedAt: string) =>
    t.request({ method: 'PUT', url: `/api/v1/flows/${id}/draft`, payload: { definition, baseUpdatedAt } })
  /** The reference flow with its first node moved: each `x` a different draft. */
  const named = (x: number) => {
    const definition = referenceFlow()
    definition.nodes[0]!.position = { x, y: 0 }
    return definition
  }

  it('accepts a save on the current base and answers the new draftUpdatedAt, even within one millisecond', async () => {
    const flow = await createFlow()
    const first = await saveOnBase(flow.id, named(1), flow.draftUpdatedAt)
    expect(first.statusCode).toBe(200)
    const { draftUpdatedAt } = first.json()
    // the test clock stands still: the stamp must move anyway, or a stale base would pass
    expect(draftUpdatedAt).not.toBe(flow.draftUpdatedAt)
    expect((await getFlow(flow.id)).draftUpdatedAt).toBe(draftUpdatedAt)
    const second = await saveOnBase(flow.id, named(2), draftUpdatedAt)
    expect(second.statusCode).toBe(200)
    expect((await getFlow(flow.id)).draft).toEqual(named(2))
  })

  it('refuses a save on a stale base with 409 API_DRAFT_CONFLICT and writes nothing', async () => {
    const flow = await createFlow()
    const tabA = await saveOnBase(flow.id, named(10), flow.draftUpdatedAt)
    expect(tabA.statusCode).toBe(200)
    const before = await getFlow(flow.id)
    const tabB = await saveOnBase(flow.id, named(20), flow.draftUpdatedAt)
    expect(tabB.statusCode).toBe(409)
    expect(tabB.json().error).toMatchObject({ code: 'API_DRAFT_CONFLICT', details: { draftUpdatedAt: tabA.json().draftUpdatedAt } })
    expect(await getFlow(flow.id)).toEqual(before)
    expect(before.draft).toEqual(named(10))
  })

  it('refuses a base that is not a time with 400, not a conflict, and writes nothing', async () => {
    const flow = await createFlow()
    const before = await getFlow(flow.id)
    const bad = await saveOnBase(flow.id, named(10), 'not a date')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toMatchObject({ code: 'API_VALIDATION', details: [expect.objectContaining({ path: 'body/baseUpdatedAt' })] })
    expect(await getFlow(flow.id)).toEqual(before)
  })

  it('keeps the old behaviour without a base: the last save wins', async () => {
    const flow = await createFlow()
    expect((await saveOnBase(flow.id, named(10), flow.draftUpdatedAt)).statusCode).toBe(200)
    const res = await saveDraft(flow.id, named(20))
    expect(res.statusCode).toBe(200)
    expect(res.json().draftUpdatedAt).toEqual(expect.any(String))
    expect((await getFlow(flow.id)).draft).toEqual(named(20))
  })

  it('refuses to publish a definition on a stale base with 409, creating no version and keeping the draft', async () => {
    const flow = await createFlow()
    expect((await saveOnBase(flow.id, named(20), flow.draftUpdatedAt)).statusCode).toBe(200)
    const before = await getFlow(flow.id)
    const stale = await publish(flow.id, { definition: named(10), baseUpdatedAt: flow.draftUpdatedAt })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().error).toMatchObject({ code: 'API_DRAFT_CONFLICT', details: { draftUpdatedAt: before.draftUpdatedAt } })
    expect(await getFlow(flow.id)).toEqual(before)
    expect((await t.request({ method: 'GET', url: `/api/v1/flows/${flow.id}/versions` })).json().items).toEqual([])
  })

  it('publishes a definition on the current base, or with no base, and answers the new draftUpdatedAt', async () => {
    const flow = await createFlow()
    const current = await publish(flow.id, { definition: named(31), baseUpdatedAt: flow.draftUpdatedAt })
    expect(current.statusCode).toBe(201)
    const stored = await getFlow(flow.id)
    expect(current.json().draftUpdatedAt).toBe(stored.draftUpdatedAt)
    expect(stored.draftUpdatedAt).not.toBe(flow.draftUpdatedAt)
    expect(stored.draft).toEqual(named(31))
    const noBase = await publish(flow.id, { definition: named(32) })
    expect(noBase.statusCode).toBe(201)
    expect(noBase.json().version).toBe(2)
  })
})
