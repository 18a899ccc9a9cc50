import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E, startSystem, type System } from '../../../e2e/harness.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage } from './editor-page.ts'

// Without a Mailgun key the API runs the dev mailbox: outbound mail is kept for
// the admin to read, and a customer's e-mail can be simulated from the editor.

describe('the dev mailbox, in Chromium', () => {
  let system: System

  beforeAll(async () => {
    system = await startSystem({ apiEnv: { MAILGUN_API_KEY: '' } })
  })

  afterAll(async () => {
    await system?.stop()
  })

  it('simulates a customer e-mail that lands in the inbox', async () => {
    const browser = await launchChromium({ width: 1600, height: 1000 })
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage())
      const editor = new EditorPage(page, 'en', system.apiUrl)
      const { m } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)

      await page.getByRole('link', { name: m.nav.devMailbox }).click()
      await page.getByRole('heading', { name: m.dev.simulate }).waitFor()
      await expect(page.getByLabel(m.dev.recipient).inputValue()).resolves.toMatch(/@/)
      await page.getByLabel(m.dev.subject, { exact: true }).fill('Simulated hello')
      await page.getByLabel(m.dev.text, { exact: true }).fill('Is anyone there?')
      await page.getByRole('button', { name: m.dev.send }).click()
      await page.getByText(m.dev.sentSimulated).waitFor()
      // The mailbox recorded the customer's mail as it went through.
      await page.getByRole('button', { name: /Simulated hello/ }).click()
      await page.getByRole('article', { name: 'Simulated hello' }).getByText('Is anyone there?').waitFor()
      await editor.screenshot('13-dev-mailbox')

      await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
      await page.getByRole('link', { name: /Simulated hello/ }).click()
      await page.getByText('Is anyone there?').waitFor()
      const conversations = await system.request<{ items: { subject: string | null }[] }>('GET', '/conversations?limit=10')
      expect(conversations.body.items.map((item) => item.subject)).toContain('Simulated hello')
    } finally {
      await browser.close()
    }
  })
})
