import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createAgent, createPublishedFlow, startRun, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

/** Starts manual runs, which store a customer message in a new conversation each. */
async function conversations(count: number): Promise<string[]> {
  const { flowId } = await createPublishedFlow(t)
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const runId = await startRun(t, flowId, `question ${i}`)
    ids.push((await t.request({ method: 'GET', url: `/api/v1/runs/${runId}` })).json().conversationId)
    t.clock.now += 60_000
  }
  return ids
}

const list = async (query = '') => (await t.request({ method: 'GET', url: `/api/v1/conversations${query}` })).json()

describe('conversations', () => {
  it('lists conversations most recently active first, paging with a cursor', async () => {
    const [a, b, c] = await conversations(3)
    const first = await list('?limit=2')
    expect(first.items.map((item: { id: string }) => item.id)).toEqual([c, b])
    expect(first.items[0]).toMatchObject({ channel: 'email', status: 'open', subject: 'My order', assignees: [], customer: { name: 'Ada', email: 'ada@customer.example.com' } })
    const second = await list(`?limit=2&cursor=${first.nextCursor}`)
    expect(second).toEqual({ items: [expect.objectContaining({ id: a })], nextCursor: null })
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations?cursor=garbage' })).statusCode).toBe(400)
  })

  it('filters by status, assignee (also `me`) and customer', async () => {
    const [a, b] = await conversations(2)
    const grace = await createAgent(t, 'Grace', 'grace@team.example.com', { password: 'grace-secret-1' })
    const assigned = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/assign`, payload: { agentIds: [grace.id] } })
    expect(assigned.json().assignees).toEqual([grace.id])
    const closed = await t.request({ method: 'PATCH', url: `/api/v1/conversations/${b}`, payload: { status: 'closed' } })
    expect(closed.json().status).toBe('closed')

    expect((await list(`?assignee=${grace.id}`)).items.map((item: { id: string }) => item.id)).toEqual([a])
    expect((await list('?assignee=none')).items.map((item: { id: string }) => item.id)).toEqual([b])
    expect((await list('?status=closed')).items.map((item: { id: string }) => item.id)).toEqual([b])
    const customerId = (await list()).items[0].customer.id
    expect((await list(`?customerId=${customerId}`)).items).toHaveLength(2)
    expect((await list('?customerId=NOPE')).items).toEqual([])

    const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'grace@team.example.com', password: 'grace-secret-1' }, as: null })
    const cookie = `rf_session=${login.cookies.find((item) => item.name === 'rf_session')?.value}`
    const mine = await t.request({ method: 'GET', url: '/api/v1/conversations?assignee=me', as: null, headers: { cookie } })
    expect(mine.json().items.map((item: { id: string }) => item.id)).toEqual([a])
    const notAgent = await t.request({ method: 'GET', url: '/api/v1/conversations?assignee=me' })
    expect(notAgent.statusCode).toBe(422)
  })

  it('assigns and unassigns, refusing unknown agents with 422 and assigning none of them', async () => {
    const [a] = await conversations(1)
    const grace = await createAgent(t, 'Grace')
    const bad = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/assign`, payload: { agentIds: [grace.id, 'NOPE'] } })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().error.details).toEqual({ agentIds: ['NOPE'] })
    expect((await t.request({ method: 'GET', url: `/api/v1/conversations/${a}` })).json().assignees).toEqual([])
    await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/assign`, payload: { agentIds: [grace.id] } })
    const unassigned = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/unassign`, payload: { agentIds: [grace.id] } })
    expect(unassigned.json().assignees).toEqual([])
    expect((await t.request({ method: 'POST', url: '/api/v1/conversations/NOPE/assign', payload: { agentIds: [grace.id] } })).statusCode).toBe(404)
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations/NOPE' })).statusCode).toBe(404)
  })
})

describe('conversations/:id/messages', () => {
  it("stores an agent's answer and delivers it to the customer by e-mail, with our own Message-Id and reply address", async () => {
    const [a] = await conversations(1)
    const grace = await createAgent(t, 'Grace')
    t.clock.now += 1000
    const res = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/messages`, payload: { content: 'Refund sent!', agentId: grace.id } })
    expect(res.statusCode).toBe(201)
    const answer = res.json()
    expect(answer).toMatchObject({
      direction: 'out',
      author: { type: 'agent', id: grace.id },
      channel: 'email',
      content: 'Refund sent!',
      attachments: [],
      delivery: { status: 'queued', address: 'ada@customer.example.com', attempts: 0 },
    })

    const messages = (await t.request({ method: 'GET', url: `/api/v1/conversations/${a}/messages` })).json().items
    expect(messages.map((m: { direction: string; content: string }) => [m.direction, m.content])).toEqual([
      ['in', 'question 0'],
      ['out', 'Refund sent!'],
    ])
    expect(messages[0].delivery).toBeNull()

    const [job] = await t.queues.mail.getJobs(['waiting'])
    expect(job?.data.deliveryId).toBe(answer.delivery.id)
    const claimed = await t.request({ method: 'POST', url: '/internal/v1/deliveries/claim', payload: { deliveryIds: [answer.delivery.id] }, as: null, headers: t.workerHeaders })
    const mail = claimed.json().items[0].mail
    expect(mail.to).toEqual(['"Ada" <ada@customer.example.com>'])
    expect(mail.subject).toBe('Re: My order')
    expect(mail.text).toBe('Refund sent!')
    expect(mail.headers['Message-Id']).toMatch(/^<rf\..+@dev\.replyflow\.local>$/)
    expect(mail.headers['Reply-To']).toMatch(new RegExp(`^reply\\+${a}\\.`))
    // The delivery mirrors onto the message.
    const after = (await t.request({ method: 'GET', url: `/api/v1/conversations/${a}/messages` })).json().items
    expect(after[1].delivery.status).toBe('sending')
  })

  it('gives an unassigned conversation to the agent who answers it, and leaves an assigned one as it is', async () => {
    const [unassigned, assigned] = await conversations(2)
    const grace = await createAgent(t, 'Grace')
    const ada = await createAgent(t, 'Ada')
    expect((await t.request({ method: 'POST', url: `/api/v1/conversations/${assigned}/assign`, payload: { agentIds: [ada.id] } })).statusCode).toBe(200)
    for (const id of [unassigned, assigned]) {
      expect((await t.request({ method: 'POST', url: `/api/v1/conversations/${id}/messages`, payload: { content: 'On it.', agentId: grace.id } })).statusCode).toBe(201)
    }
    const assignees = async (id?: string) => (await t.request({ method: 'GET', url: `/api/v1/conversations/${id}` })).json().assignees
    expect(await assignees(unassigned)).toEqual([grace.id])
    expect(await assignees(assigned)).toEqual([ada.id])
  })

  it('refuses an answer that would reach nobody, and stores none of it: blank, in an SMS conversation, to a customer without an address', async () => {
    const grace = await createAgent(t, 'Grace')
    const { flowId } = await createPublishedFlow(t)
    const conversationOf = async (customer: object, message: object) => {
      const res = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/runs`, payload: { input: { customer, message: { subject: 'Hi', content: 'hello', ...message } } } })
      return (await t.request({ method: 'GET', url: `/api/v1/runs/${res.json().id}` })).json().conversationId as string
    }
    const answer = (conversationId: string, content: string) =>
      t.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { content, agentId: grace.id } })
    const messages = async (conversationId: string) => (await t.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}/messages` })).json().items

    const byMail = await conversationOf({ name: 'Ada', email: 'ada@customer.example.com' }, {})
    const blank = await answer(byMail, ' \n\t ')
    expect(blank.statusCode).toBe(400)
    expect(blank.json().error).toMatchObject({ code: 'API_VALIDATION', details: [{ path: 'body/content', message: 'must not be blank' }] })

    const bySms = await conversationOf({ name: 'Bo', phone: '+15550001' }, { channel: 'sms' })
    const noAddress = await conversationOf({ name: 'Cy' }, {})
    for (const [conversationId, reason] of [[bySms, /SMS conversation and no SMS provider/], [noAddress, /no e-mail address/]] as const) {
      const refused = await answer(conversationId, 'Your refund is on its way.')
      expect(refused.statusCode).toBe(422)
      expect(refused.json().error).toMatchObject({ code: 'API_CUSTOMER_UNREACHABLE', message: expect.stringMatching(reason) })
      expect(await messages(conversationId)).toHaveLength(1)
    }
    expect(await messages(byMail)).toHaveLength(1)
    expect((await answer(byMail, 'Your refund is on its way.')).statusCode).toBe(201)
  })

  it('lets agents answer only as themselves, and needs an agent', async () => {
    const [a] = await conversations(1)
    const grace = await createAgent(t, 'Grace')
    const agentUser = await t.createUser('agent')
    const asOther = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/messages`, payload: { content: 'hi', agentId: grace.id }, as: agentUser })
    expect(asOther.statusCode).toBe(403)
    const noAgent = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/messages`, payload: { content: 'hi' } })
    expect(noAgent.statusCode).toBe(422)
    expect(noAgent.json().error.code).toBe('API_AGENT_REQUIRED')
    const unknown = await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/messages`, payload: { content: 'hi', agentId: 'NOPE' } })
    expect(unknown.statusCode).toBe(422)
    expect((await t.request({ method: 'POST', url: `/api/v1/conversations/${a}/messages`, payload: { content: '', agentId: grace.id } })).statusCode).toBe(400)
    expect((await t.request({ method: 'POST', url: '/api/v1/conversations/NOPE/messages', payload: { content: 'hi', agentId: grace.id } })).statusCode).toBe(404)
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations/NOPE/messages' })).statusCode).toBe(404)
    const messages = (await t.request({ method: 'GET', url: `/api/v1/conversations/${a}/messages` })).json().items
    expect(messages).toHaveLength(1)
  })
})
