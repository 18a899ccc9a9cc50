import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locale } from '@replyflow/flow'
import type { Page } from 'playwright-core'
import { E2E, eventually, referenceFlow, startSystem, type System } from '../../../e2e/harness.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage, until } from './editor-page.ts'

// An agent logs in where admins do. They start in their own conversations,
// are offered only what the API lets them do (the inbox, their own status,
// their password), and nothing on the page is refused with a 403 on their
// behalf. An admin's screens stay as they were.

const TEAM = 'support@dev.replyflow.local'
const DANA = { name: 'Dana Agent', email: 'dana@agents.test', password: 'dana-password-1' }

describe('an agent’s login, in Chromium', () => {
  let system: System
  let danaId: string

  beforeAll(async () => {
    system = await startSystem({ devMailbox: true })
    const added = await system.request<{ id: string }>('POST', '/agents', DANA)
    expect(added.status).toBe(201)
    danaId = added.body.id
    await system.createAgent({ name: 'Eve Agent', email: 'eve@agents.test' })
    // The reference flow assigns every agent unless the message asks for a refund: one conversation is Dana's, one nobody's.
    await system.publishFlow(referenceFlow(), { name: 'Support', trigger: 'email.received' })
    await system.mailgun.receive({ from: 'Jane Customer <jane@customer.test>', to: TEAM, subject: 'Where is my order?', text: 'Order 123 has not arrived.' })
    await system.mailgun.receive({ from: 'Raj Customer <raj@customer.test>', to: TEAM, subject: 'Money back', text: 'I would like a refund.' })
    await eventually(
      async () => {
        const mine = (await system.request<{ items: unknown[] }>('GET', `/conversations?assignee=${danaId}`)).body.items
        const all = (await system.request<{ items: unknown[] }>('GET', '/conversations')).body.items
        return mine.length === 1 && all.length === 2 ? true : undefined
      },
      { what: 'one conversation assigned to Dana, one to nobody' },
    )
  })

  afterAll(async () => {
    await system?.stop()
  })

  /** The names of the main navigation's links, in order. */
  const navLinks = (page: Page) => page.getByRole('navigation').getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('aria-label') ?? link.textContent?.trim() ?? ''))

  it.each<Locale>(['en', 'zh-CN'])('lands an agent in their own conversations, offers only what they may do, sends them from admin pages to the inbox, with no 403; the admin’s screens stay (%s)', async (locale) => {
    const browser = await launchChromium({ locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US', width: 1440, height: 900 })
    const problems: string[] = []
    const refused: string[] = []
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage())
      page.on('pageerror', (error) => problems.push(error.message))
      page.on('response', (response) => {
        if (response.status() === 403) refused.push(`${response.request().method()} ${new URL(response.url()).pathname}`)
      })
      const editor = new EditorPage(page, locale, system.apiUrl)
      const { m } = editor
      const mine = page.getByRole('radio', { name: m.inbox.filter.mine })
      const inInbox = async () => {
        await mine.waitFor({ state: 'attached' })
        expect(new URL(page.url()).pathname).toBe('/inbox')
      }

      // The login page speaks to agents too.
      await page.goto(`${system.apiUrl}/`)
      await page.getByText(m.login.subtitle).waitFor()
      await editor.screenshot('60-login')

      // Dana lands in the inbox, on "Mine": her conversation, not the unassigned one.
      await editor.signIn(DANA.email, DANA.password)
      await inInbox()
      await expect(mine.isChecked()).resolves.toBe(true)
      await page.getByRole('link', { name: /Where is my order\?/ }).waitFor()
      await expect(page.getByRole('link', { name: /Money back/ }).count()).resolves.toBe(0)

      // Only the inbox to go to; her own status, and her password and logout in the menu.
      expect(await navLinks(page)).toEqual([m.nav.inbox])
      await page.getByRole('button', { name: m.account.menu }).click()
      const menuItems = await page.getByRole('menuitem').allTextContents()
      expect(menuItems.map((item) => item.trim())).toEqual([m.account.changePasswordMenu, m.app.logout])
      await page.keyboard.press('Escape')
      const status = page.getByLabel(m.account.status)
      await until(async () => (await status.inputValue()) === 'offline', 'her status shown')
      await status.selectOption('online')
      await eventually(async () => ((await system.request<{ status: string }>('GET', `/agents/${danaId}`)).body.status === 'online' ? true : undefined), { what: 'Dana online' })
      await page.getByRole('link', { name: /Where is my order\?/ }).click()
      await page.getByText('Order 123 has not arrived.').waitFor()
      await editor.screenshot('61-agent-inbox')

      // An admin's address, typed or bookmarked, opens the inbox instead of a refusal.
      for (const path of ['/settings/flows/email', '/settings/api-keys', '/agents', '/runs', '/mailbox', '/']) {
        await page.goto(`${system.apiUrl}${path}`)
        await inInbox()
        expect(await navLinks(page), path).toEqual([m.nav.inbox])
      }
      await status.selectOption('offline')
      await until(async () => !(await status.isDisabled()), 'her status saved')

      // She logs out; an admin logs in in the same window and finds every screen where it was, the dev mailbox too.
      await page.getByRole('button', { name: m.account.menu }).click()
      await page.getByRole('menuitem', { name: m.app.logout }).click()
      await editor.login(E2E.admin.email, E2E.admin.password)
      const adminNav = [m.nav.emailFlows, m.nav.smsFlows, m.nav.apiKeys, `${m.nav.offline}: ${m.nav.offlineEmail}`, m.nav.inbox, m.nav.agents, m.nav.runs, m.nav.devMailbox]
      await until(async () => (await navLinks(page)).length === adminNav.length, 'the admin’s navigation')
      expect(await navLinks(page)).toEqual(adminNav)
      await expect(page.getByLabel(m.account.status).count()).resolves.toBe(0)
      await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
      await expect(page.getByRole('radio', { name: m.inbox.filter.all }).isChecked()).resolves.toBe(true)
      await page.getByRole('link', { name: /Money back/ }).waitFor()
      await editor.screenshot('62-admin-after-agent')
    } finally {
      await browser.close()
    }
    expect(refused).toEqual([])
    expect(problems).toEqual([])
  })
})
