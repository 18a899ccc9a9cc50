import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E, referenceFlow, startSystem, type System } from '../../../e2e/harness.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage, fmt } from './editor-page.ts'

// Without a Mailgun key the API runs the dev mailbox and keeps its routes (team
// address and reply addresses → its own inbound webhook). From the editor alone
// an admin plays the whole loop: a customer writes in, the agents are mailed,
// an agent answers from the dev mailbox, and the answer reaches the customer,
// threaded into the same conversation.

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const PDF = Buffer.from('%PDF-1.4\n% shipping label\n%%EOF\n')

for (const locale of ['en', 'zh-CN'] as const) {
  describe(`the dev mailbox, in Chromium (${locale})`, () => {
    let system: System

    beforeAll(async () => {
      system = await startSystem({ devMailbox: true })
      await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
      await system.publishFlow(referenceFlow(), { trigger: 'email.received' })
    })

    afterAll(async () => {
      await system?.stop()
    })

    it('simulates a customer e-mail, replies as the agent from the dev mailbox and sees the answer reach the customer, threaded', async () => {
      const browser = await launchChromium({ locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US', width: 1600, height: 1000 })
      const problems: string[] = []
      try {
        const page = browser.context.pages()[0] ?? (await browser.context.newPage())
        page.on('pageerror', (error) => problems.push(error.message))
        const editor = new EditorPage(page, locale, system.apiUrl)
        const { m } = editor
        const subject = locale === 'en' ? 'Where is my parcel?' : '我的包裹在哪里？'
        const question = locale === 'en' ? 'It has been two weeks.' : '已经两个星期了。'
        const answer = locale === 'en' ? 'It left our warehouse today.' : '今天已经从仓库发出。'
        const filters = page.getByRole('radiogroup', { name: m.inbox.filters })
        await editor.login(E2E.admin.email, E2E.admin.password)

        // "Mine" explains why an admin who is no agent has nothing of their own, and how to change that.
        await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
        await filters.getByText(m.inbox.filter.mine).click()
        await page.getByText(m.inbox.notAnAgent).waitFor()
        await expect(page.getByRole('alert').count()).resolves.toBe(0)
        await editor.screenshot('13-inbox-not-an-agent')
        await page.getByRole('link', { name: fmt(m.inbox.becomeAgent, { email: E2E.admin.email }) }).click()
        await page.getByLabel(m.agents.name, { exact: true }).fill('Admin')
        await page.getByLabel(m.agents.email, { exact: true }).fill(E2E.admin.email)
        await page.getByRole('button', { name: m.agents.add }).click()
        await page.getByRole('row', { name: new RegExp(`Admin.*${escape(m.agents.you)}`) }).waitFor()
        await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
        await filters.getByText(m.inbox.filter.mine).click()
        await page.getByText(m.inbox.empty).waitFor()

        // A customer writes to the team address: the API's own route takes it to Replyflow.
        await page.getByRole('navigation').getByRole('link', { name: m.nav.devMailbox }).click()
        await page.getByRole('heading', { name: m.dev.simulate }).waitFor()
        await expect.poll(() => page.getByLabel(m.dev.recipient).inputValue()).toBe('support@dev.replyflow.local')
        await page.getByLabel(m.dev.subject, { exact: true }).fill(subject)
        await page.getByLabel(m.dev.text, { exact: true }).fill(question)
        await page.getByRole('button', { name: m.dev.send }).click()
        await page.getByText(m.dev.sentSimulated).waitFor()

        // The flow assigned every agent and mailed them: Ann's notification shows up in the list by itself.
        const notification = page.getByRole('button', { name: new RegExp(`${escape(subject)}.*${escape(m.dev.kindAgent)}.*ann@agents\\.test`) })
        // The screen says its mail lives in memory only.
        await page.getByText(m.dev.inMemory).waitFor()
        await notification.click()
        const article = page.getByRole('article', { name: subject })
        // The notification's HTML part, in its sandboxed frame: opened beside the list, in view without scrolling.
        await article.frameLocator('iframe').getByText(question).waitFor()
        await expect(editor.inView(article.getByRole('heading', { name: subject }))).resolves.toBe(true)
        const body = await article.locator('iframe').boundingBox()
        expect((body?.y ?? Infinity) + 120).toBeLessThan(page.viewportSize()?.height ?? 0)
        await editor.screenshot('14-dev-mailbox-notification')

        // Ann answers it from her mail client, with a file: the reply goes to the notification's reply address.
        await article.getByRole('button', { name: m.dev.reply, exact: true }).click()
        const form = page.getByRole('form', { name: m.dev.replyForm })
        await expect(form.getByLabel(m.dev.replyFrom).inputValue()).resolves.toContain('ann@agents.test')
        await form.getByLabel(m.dev.replyText).fill(answer)
        await form.getByLabel(m.dev.attach).setInputFiles({ name: 'label.pdf', mimeType: 'application/pdf', buffer: PDF })
        await editor.screenshot('15-dev-mailbox-reply')
        const from = await form.getByLabel(m.dev.replyFrom).inputValue()
        await form.getByRole('button', { name: m.dev.sendReply }).click()
        await page.getByText(fmt(m.dev.replySent, { from })).waitFor()

        // Replyflow took the reply as Ann's answer and mailed it to the customer, in the customer's thread.
        const toCustomer = page.getByRole('button', { name: new RegExp(`^Re: ${escape(subject)}.*${escape(m.dev.kindCustomer)}.*jane@customer\\.example`) })
        await toCustomer.click()
        const delivered = page.getByRole('article', { name: `Re: ${subject}` })
        await delivered.getByText(answer).waitFor()
        await delivered.getByText(m.dev.inReplyTo).waitFor()
        const [download] = await Promise.all([page.waitForEvent('download'), delivered.getByRole('link', { name: 'label.pdf' }).click()])
        expect(await readFile(await download.path())).toEqual(PDF)
        await editor.screenshot('16-dev-mailbox-answer')

        // The inbox has one conversation, the admin's own now (every agent was assigned), with the question and the answer.
        await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
        await filters.getByText(m.inbox.filter.unassigned).click()
        await page.getByText(m.inbox.empty).waitFor()
        await filters.getByText(m.inbox.filter.mine).click()
        await page.getByRole('link', { name: new RegExp(escape(subject)) }).click()
        const thread = page.getByRole('region', { name: fmt(m.inbox.thread, { customer: 'Jane Customer' }) })
        await thread.getByText(question).waitFor()
        await thread.getByText(answer).waitFor()
        await editor.screenshot('17-inbox-threaded')

        const conversations = await system.request<{ items: { id: string; subject: string | null }[] }>('GET', '/conversations')
        expect(conversations.body.items.map((item) => item.subject)).toEqual([subject])
        const messages = await system.request<{ items: { direction: string; author: { type: string }; content: string; attachments: { filename: string }[] }[] }>(
          'GET',
          `/conversations/${conversations.body.items[0]?.id}/messages`,
        )
        expect(messages.body.items.map((item) => [item.direction, item.author.type, item.content, item.attachments.map((file) => file.filename)])).toEqual([
          ['in', 'customer', question, []],
          ['out', 'agent', answer, ['label.pdf']],
        ])
      } finally {
        await browser.close()
      }
      expect(problems).toEqual([])
    })
  })
}
