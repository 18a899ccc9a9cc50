import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locale } from '@replyflow/flow'
import { E2E, startSystem, type System } from '../../../e2e/harness.ts'
import { inChromium, fmt, type EditorPage } from './editor-page.ts'

// How the team is set up, as an admin does it in the editor: where
// notifications come from (Settings → EMAIL), and a login for an agent who was
// added without one. A file of its own: each test logs in, and the API allows
// ten logins a minute from one address.

const TEAM = 'support@dev.replyflow.local'

describe('setting up the team, in Chromium', () => {
  let system: System

  beforeAll(async () => {
    system = await startSystem({ devMailbox: true })
  })

  afterAll(async () => {
    await system?.stop()
  })

  const withEditor = (locale: Locale, play: (editor: EditorPage) => Promise<void>) => inChromium(system.apiUrl, locale, play)

  const asAdmin = (locale: Locale, play: (editor: EditorPage) => Promise<void>) =>
    withEditor(locale, async (editor) => {
      await editor.login(E2E.admin.email, E2E.admin.password)
      await play(editor)
    })

  it('sends notifications from each agent’s own address once chosen, with its note, and back from the team address (en, zh-CN)', async () => {
    const settings = async () => (await system.request<{ senderMode: string }>('GET', '/settings/offline-email')).body.senderMode
    for (const locale of ['en', 'zh-CN'] as const) {
      await asAdmin(locale, async (editor) => {
        const { m, page } = editor
        const open = async () => {
          await page.getByRole('link', { name: `${m.nav.offline}: ${m.nav.offlineEmail}` }).click()
          await page.getByRole('heading', { name: m.offline.title }).waitFor()
        }
        // The note quotes an address; its @ must reach the screen as written.
        const note = page.getByText(m.offline.agentDomain.replace("{'@'}", '@'))
        await open()
        await page.getByRole('radio', { name: m.offline.agent }).check()
        await note.waitFor()
        await page.getByRole('textbox', { name: m.offline.teamAddress }).fill(TEAM)
        await page.getByRole('button', { name: m.app.save }).click()
        await page.getByText(m.offline.saved).waitFor()
        expect(await settings()).toBe('agent')
        // Opened again, the saved choice shows with its note.
        await page.reload()
        await page.getByRole('heading', { name: m.offline.title }).waitFor()
        await expect(page.getByRole('radio', { name: m.offline.agent }).isChecked()).resolves.toBe(true)
        await note.waitFor()
        await page.getByRole('radio', { name: m.offline.team }).check()
        await page.getByRole('button', { name: m.app.save }).click()
        await page.getByText(m.offline.saved).waitFor()
        expect(await settings()).toBe('team')
        await expect(note.count()).resolves.toBe(0)
      })
    }
  })

  it('gives an agent added without a login one, which they log in with; a new password signs them out', async () => {
    const ann = await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    await asAdmin('en', async (editor) => {
      const { m, page } = editor
      await page.getByRole('navigation').getByRole('link', { name: m.nav.agents }).click()
      await page.getByRole('button', { name: fmt(m.agents.giveLogin, { name: 'Ann Agent' }) }).click()
      const dialog = page.getByRole('dialog', { name: fmt(m.agents.login.giveTitle, { name: 'Ann Agent' }) })
      await dialog.getByLabel(m.agents.login.password, { exact: true }).fill('short')
      await dialog.getByLabel(m.agents.login.repeat).fill('short')
      await dialog.getByRole('button', { name: m.app.save }).click()
      await dialog.getByText(fmt(m.account.tooShort, { min: 8 })).waitFor()
      await dialog.getByLabel(m.agents.login.password, { exact: true }).fill('ann-password-1')
      await dialog.getByLabel(m.agents.login.repeat).fill('ann-password-1')
      await dialog.getByRole('button', { name: m.app.save }).click()
      await page.getByText(fmt(m.agents.login.given, { name: 'Ann Agent', email: 'ann@agents.test' })).waitFor()
      await page.getByRole('row', { name: /Ann Agent/ }).getByText(m.agents.canLogIn).waitFor()
      await editor.screenshot('63-agent-login-given')
    })
    // Ann logs in with it, and lands in her inbox.
    await withEditor('en', async (editor) => {
      await editor.signIn('ann@agents.test', 'ann-password-1')
      await editor.page.getByRole('radio', { name: editor.m.inbox.filter.mine }).waitFor()
    })
    const annLogin = await fetch(`${system.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ann@agents.test', password: 'ann-password-1' }) })
    const session = annLogin.headers.get('set-cookie')?.split(';')[0] ?? ''
    const asAnn = () => fetch(`${system.apiUrl}/api/v1/conversations`, { headers: { cookie: session } })
    expect((await asAnn()).status).toBe(200)

    // A new password, in Chinese this time: her session ends.
    await asAdmin('zh-CN', async (editor) => {
      const { m, page } = editor
      await page.getByRole('navigation').getByRole('link', { name: m.nav.agents }).click()
      await page.getByRole('button', { name: fmt(m.agents.resetLogin, { name: 'Ann Agent' }) }).click()
      const dialog = page.getByRole('dialog', { name: fmt(m.agents.login.resetTitle, { name: 'Ann Agent' }) })
      await dialog.getByLabel(m.agents.login.password, { exact: true }).fill('ann-password-2')
      await dialog.getByLabel(m.agents.login.repeat).fill('ann-password-2')
      await dialog.getByRole('button', { name: m.app.save }).click()
      await page.getByText(fmt(m.agents.login.reset, { name: 'Ann Agent' })).waitFor()
    })
    expect((await asAnn()).status).toBe(401)
    expect((await system.request<{ userId: string | null }>('GET', `/agents/${ann.id}`)).body.userId).toEqual(expect.any(String))
  })
})
