import type { RecordedMessage } from '@replyflow/mail/mailgun-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, referenceFlow, startSystem, type System } from './harness.ts'

// The dev mailbox loop, as a newcomer gets it from `pnpm start` without a Mailgun
// account: the API's own Mailgun-compatible server, whose routes the API keeps,
// takes a simulated customer mail to the API's webhook; the worker mails the
// agents into it; an agent's reply from it reaches the customer, threaded.

const TEAM = 'support@dev.replyflow.local'

describe('dev mailbox, end to end (no Mailgun account)', () => {
  let system: System
  let flowId: string
  let customerMessageId: string

  const mailTo = (address: string, where: (m: RecordedMessage) => boolean = () => true) =>
    system.mailgun.waitForMessages(1, { where: (m) => m.to.some((to) => to.includes(address)) && where(m) })

  beforeAll(async () => {
    system = await startSystem({ devMailbox: true })
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    await system.createAgent({ name: 'Bob Agent', email: 'bob@agents.test' })
    flowId = (await system.publishFlow(referenceFlow(), { trigger: 'email.received' })).id
  })
  afterAll(async () => {
    await system?.stop()
  })

  it("takes a simulated customer mail to the team address through the API's own route: the flow runs and the agents are mailed", async () => {
    const simulated = await system.mailgun.receive({ from: 'Jane Doe <jane@customer.test>', to: TEAM, subject: 'Where is my parcel?', text: 'It has been two weeks.' })
    expect(simulated.status).toBe(200)
    expect(simulated.body.forwards).toEqual([expect.objectContaining({ url: `${system.apiUrl}/webhooks/mailgun/inbound`, status: 200 })])
    customerMessageId = simulated.body.messageId

    const run = await eventually(
      async () => (await system.request<{ items: { status: string }[] }>('GET', `/flows/${flowId}/runs`)).body.items.find((item) => item.status === 'succeeded'),
      { what: 'the run of the flow' },
    )
    expect(run).toBeTruthy()
    const [toAnn] = await mailTo('ann@agents.test')
    await mailTo('bob@agents.test')
    expect(toAnn?.from).toContain(`<${TEAM}>`)
    expect(toAnn?.text).toContain('It has been two weeks.')
    expect(toAnn?.headers['Reply-To']).toMatch(/^reply\+.+@dev\.replyflow\.local$/)
  })

  it("delivers the agent's reply from the dev mailbox to the customer, threaded, with the attachment", async () => {
    const [toAnn] = await mailTo('ann@agents.test')
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n')
    const reply = await system.mailgun.reply(toAnn?.id ?? '', {
      text: 'It left our warehouse today.',
      attachments: [{ filename: 'label.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
    })
    expect(reply.status).toBe(200)
    expect(reply.body.forwards.map((forward) => forward.status)).toEqual([200])

    const [answer] = await mailTo('jane@customer.test')
    // The reply came with the notification quoted below it: only the agent's new text goes out.
    expect(answer?.text).toBe('It left our warehouse today.')
    expect(answer?.subject).toBe('Re: Where is my parcel?')
    expect(answer?.headers['In-Reply-To']).toBe(customerMessageId)
    expect(answer?.headers.References).toContain(customerMessageId)
    expect(answer?.attachments).toEqual([{ field: 'attachment', filename: 'label.pdf', contentType: 'application/pdf', size: pdf.length }])
    expect(await system.mailgun.attachment(answer?.id ?? '', 0)).toEqual(pdf)
  })

  it("threads the customer's answer to that mail, sent from the dev mailbox, into the same conversation", async () => {
    const [answer] = await mailTo('jane@customer.test')
    const followUp = await system.mailgun.reply(answer?.id ?? '', { text: 'Thanks!' })
    expect(followUp.status).toBe(200)
    const conversations = await system.request<{ items: { id: string; subject: string }[] }>('GET', '/conversations')
    expect(conversations.body.items.map((c) => c.subject)).toEqual(['Where is my parcel?'])
    const messages = await system.request<{ items: { direction: string; author: { type: string }; content: string }[] }>('GET', `/conversations/${conversations.body.items[0]?.id}/messages`)
    expect(messages.body.items.map((m) => [m.direction, m.author.type, m.content])).toEqual([
      ['in', 'customer', 'It has been two weeks.'],
      ['out', 'agent', 'It left our warehouse today.'],
      ['in', 'customer', 'Thanks!'],
    ])
  })
})
