import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locale } from '@replyflow/flow'
import type { BrowserContext } from 'playwright-core'
import { E2E, eventually, referenceFlow, startSystem, type System } from '../../../e2e/harness.ts'
import { inChromium, fmt, literally, until, type EditorPage } from './editor-page.ts'

// The screens a new admin looked for and found only in the API: a flow's
// actions in the list, API keys, managing agents, their own password, every
// flow's runs, and who really wrote each message of a thread.

const TEAM = 'support@dev.replyflow.local'

describe('the admin screens, in Chromium', () => {
  let system: System
  let password: string = E2E.admin.password

  beforeAll(async () => {
    system = await startSystem({ devMailbox: true })
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    await system.createAgent({ name: 'Bob Agent', email: 'bob@agents.test' })
  })

  afterAll(async () => {
    await system?.stop()
  })

  const withEditor = (locale: Locale, play: (editor: EditorPage, context: BrowserContext) => Promise<void>) =>
    inChromium(system.apiUrl, locale, async (editor, context) => {
      await editor.login(E2E.admin.email, password)
      await play(editor, context)
    })

  async function flows(): Promise<{ id: string; name: string; enabled: boolean }[]> {
    return (await system.request<{ items: { id: string; name: string; enabled: boolean }[] }>('GET', '/flows')).body.items
  }

  it('renames, enables, disables and deletes flows from the list', async () => {
    await system.publishFlow(referenceFlow(), { name: 'Refund requests', trigger: 'email.received' })
    // Published second with the same trigger: it displaces the first.
    await system.publishFlow(referenceFlow(), { name: 'Refund requests, new', trigger: 'email.received' })
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await expect(editor.flowInList('Refund requests').first().textContent()).resolves.toContain(m.flows.disabled)

      // Enable the displaced flow again: the list and the notice say which one it displaced.
      await editor.flowAction('Refund requests', m.flows.actions.enable)
      await page.getByText(fmt(m.flows.disabledOther, { name: 'Refund requests, new' })).waitFor()
      await until(async () => ((await editor.flowInList('Refund requests, new').textContent()) ?? '').includes(m.flows.disabled), 'the other flow disabled')
      expect((await flows()).find((flow) => flow.name === 'Refund requests')?.enabled).toBe(true)
      await editor.screenshot('30-flow-enabled')

      // Rename.
      await editor.flowAction('Refund requests, new', m.flows.actions.rename)
      const rename = page.getByRole('dialog', { name: m.flows.renameTitle })
      await rename.getByLabel(m.flows.form.name).fill('Refunds (EU)')
      await rename.getByRole('button', { name: m.flows.renameSubmit }).click()
      await editor.flowInList('Refunds (EU)').waitFor()
      expect((await flows()).map((flow) => flow.name).sort()).toEqual(['Refund requests', 'Refunds (EU)'])

      // Disable.
      await editor.flowAction('Refund requests', m.flows.actions.disable)
      await page.getByText(fmt(m.flows.disabledNotice, { name: 'Refund requests' })).waitFor()
      expect((await flows()).find((flow) => flow.name === 'Refund requests')?.enabled).toBe(false)

      // Delete asks first; cancelling keeps the flow.
      await editor.flowAction('Refunds (EU)', m.flows.actions.delete)
      const confirm = page.getByRole('alertdialog', { name: fmt(m.flows.deleteTitle, { name: 'Refunds (EU)' }) })
      await confirm.getByText(m.flows.deleteMessage).waitFor()
      await editor.screenshot('31-flow-delete-confirm')
      await confirm.getByRole('button', { name: m.app.cancel }).click()
      expect((await flows()).map((flow) => flow.name)).toContain('Refunds (EU)')
      await editor.flowAction('Refunds (EU)', m.flows.actions.delete)
      await confirm.getByRole('button', { name: m.flows.deleteConfirm }).click()
      await page.getByText(fmt(m.flows.deleted, { name: 'Refunds (EU)' })).waitFor()
      await until(async () => (await editor.flowInList('Refunds (EU)').count()) === 0, 'flow gone from the list')
      expect((await flows()).map((flow) => flow.name)).toEqual(['Refund requests'])
    })
  })

  it('creates an API key shown once, copies it, and revokes it', async () => {
    await withEditor('en', async (editor, context) => {
      const { m, page } = editor
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.apiUrl })
      await page.getByRole('navigation').getByRole('link', { name: m.nav.apiKeys }).click()
      await page.getByRole('heading', { name: m.apiKeys.title }).waitFor()
      await page.getByLabel(m.apiKeys.name, { exact: true }).fill('CRM sync')
      await page.getByRole('button', { name: m.apiKeys.create }).click()
      const shown = page.getByLabel(m.apiKeys.key)
      await shown.waitFor()
      const key = await shown.inputValue()
      expect(key).toMatch(/^rf_/)
      await page.getByRole('button', { name: m.apiKeys.copy, exact: true }).click()
      await page.getByRole('button', { name: m.apiKeys.copied }).waitFor()
      await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(key)
      await editor.screenshot('32-api-key-created')

      // The key works, and is listed by its prefix only.
      const bearer = { authorization: `Bearer ${key}` }
      expect((await fetch(`${system.apiUrl}/api/v1/flows`, { headers: bearer })).status).toBe(200)
      await page.getByRole('button', { name: m.apiKeys.done }).click()
      await expect(page.getByLabel(m.apiKeys.key).count()).resolves.toBe(0)
      await page.getByRole('row', { name: new RegExp(`CRM sync.*${literally(key.slice(0, 10))}`) }).waitFor()

      await page.getByRole('button', { name: fmt(m.apiKeys.revokeNamed, { name: 'CRM sync' }) }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: m.apiKeys.revokeConfirm }).click()
      await page.getByText(fmt(m.apiKeys.revoked, { name: 'CRM sync' })).waitFor()
      expect((await fetch(`${system.apiUrl}/api/v1/flows`, { headers: bearer })).status).toBe(401)
      await editor.screenshot('33-api-key-revoked')
    })
  })

  it('edits an agent, sets them online, says a taken address in the user’s language, and deletes them (zh-CN)', async () => {
    await withEditor('zh-CN', async (editor) => {
      const { m, page } = editor
      await page.getByRole('navigation').getByRole('link', { name: m.nav.agents }).click()
      await page.getByRole('heading', { name: m.agents.title }).waitFor()
      await page.getByRole('row', { name: /Ann Agent/ }).waitFor()

      // A taken address: a sentence in Chinese, no error code, no English.
      await page.getByLabel(m.agents.name, { exact: true }).fill('重复')
      await page.getByLabel(m.agents.email, { exact: true }).fill('bob@agents.test')
      await page.getByRole('button', { name: m.agents.add }).click()
      const taken = page.getByRole('alert')
      await taken.getByText(m.errors.codes.API_AGENT_EMAIL_TAKEN).waitFor()
      await expect(taken.textContent()).resolves.not.toMatch(/API_|already/)
      await editor.screenshot('34-agent-email-taken')

      // Edit in place.
      await page.getByRole('button', { name: fmt(m.agents.edit, { name: 'Ann Agent' }) }).click()
      await page.getByLabel(fmt(m.agents.editName, { name: 'Ann Agent' })).fill('Ann Zhang')
      await page.getByRole('button', { name: m.app.save }).click()
      await page.getByText(fmt(m.agents.saved, { name: 'Ann Zhang' })).waitFor()

      // Online and offline, for trying a "no agent online" flow.
      await page.getByLabel(fmt(m.agents.statusOf, { name: 'Ann Zhang' })).selectOption('online')
      await page.getByText(fmt(m.agents.nowOnline, { name: 'Ann Zhang' })).waitFor()
      const listed = (await system.request<{ items: { name: string; status: string }[] }>('GET', '/agents')).body.items
      expect(listed.find((agent) => agent.name === 'Ann Zhang')?.status).toBe('online')
      await editor.screenshot('35-agents-managed')

      // Delete, after a confirmation.
      await page.getByRole('button', { name: fmt(m.agents.delete, { name: 'Bob Agent' }) }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: m.agents.deleteConfirm }).click()
      await page.getByText(fmt(m.agents.deleted, { name: 'Bob Agent' })).waitFor()
      const left = (await system.request<{ items: { name: string }[] }>('GET', '/agents')).body.items.map((agent) => agent.name)
      expect(left).toEqual(['Ann Zhang'])
    })
  })

  it('says before deleting an agent with a login that the login goes too, and that the admin keeps theirs', async () => {
    const added = await system.request('POST', '/agents', { name: 'Grace Hopper', email: 'grace@agents.test', password: 'grace-password-1' })
    expect(added.status).toBe(201)
    await system.createAgent({ name: 'Admin Agent', email: E2E.admin.email })
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      const confirm = page.getByRole('alertdialog')
      const askToDelete = async (name: string) => {
        await page.getByRole('button', { name: fmt(m.agents.delete, { name }) }).click()
        await confirm.getByText(m.agents.deleteMessage).waitFor()
        return (await confirm.getByRole('paragraph').textContent()) ?? ''
      }
      await page.getByRole('navigation').getByRole('link', { name: m.nav.agents }).click()
      await page.getByRole('row', { name: /Grace Hopper/ }).waitFor()

      // Ann has no login: nothing about one.
      const aboutAnn = await askToDelete('Ann Zhang')
      expect(aboutAnn).not.toContain(fmt(m.agents.deleteRemovesLogin, { name: 'Ann Zhang' }))
      expect(aboutAnn).not.toContain(m.agents.deleteKeepsOwnLogin)
      await confirm.getByRole('button', { name: m.app.cancel }).click()

      // Grace logs in as an agent: her login goes with her.
      expect(await askToDelete('Grace Hopper')).toContain('Grace Hopper can no longer log in: their login is removed too.')
      await editor.screenshot('39-agent-delete-login')
      await confirm.getByRole('button', { name: m.agents.deleteConfirm }).click()
      await page.getByText(fmt(m.agents.deleted, { name: 'Grace Hopper' })).waitFor()
      const login = await fetch(`${system.apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'grace@agents.test', password: 'grace-password-1' }),
      })
      expect(login.status).toBe(401)

      // The admin's own agent: the admin login stays, and so does this session.
      const aboutAdmin = await askToDelete('Admin Agent')
      expect(aboutAdmin).toContain(m.agents.deleteKeepsOwnLogin)
      expect(aboutAdmin).not.toContain(fmt(m.agents.deleteRemovesLogin, { name: 'Admin Agent' }))
      await confirm.getByRole('button', { name: m.agents.deleteConfirm }).click()
      await page.getByText(fmt(m.agents.deleted, { name: 'Admin Agent' })).waitFor()
      await page.getByRole('navigation').getByRole('link', { name: m.nav.apiKeys }).click()
      await page.getByRole('heading', { name: m.apiKeys.title }).waitFor()
    })
  })

  it('shows who really wrote each message of a thread, and every flow’s runs, real and dry', async () => {
    const { id: flowId } = await system.publishFlow(referenceFlow(), { name: 'Orders', trigger: 'email.received' })
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      // Jane writes in; Ann (the only agent left) is notified; Jane's colleague Lee answers that thread.
      await system.mailgun.receive({ from: 'Jane Customer <jane@customer.test>', to: TEAM, subject: 'Where is my order?', text: 'Order 123 has not arrived.' })
      const [notification] = await system.mailgun.waitForMessages(1, { where: (mail) => mail.to.some((to) => to.includes('ann@agents.test')) })
      if (!notification) throw new Error('no notification')
      await system.mailgun.reply(notification.id, { from: 'Lee Colleague <lee@customer.test>', text: 'Jane is away: the order number is 123-B.' })

      await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
      await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
      await page.getByRole('link', { name: /Where is my order\?/ }).click()
      const thread = page.getByRole('list').filter({ hasText: 'Order 123 has not arrived.' })
      await eventually(
        async () => {
          if ((await thread.getByText('Lee Colleague').count()) > 0) return true
          await page.reload()
          return undefined
        },
        { what: 'the colleague’s message in the thread' },
      )
      await thread.getByText('Jane Customer', { exact: true }).waitFor()
      await thread.getByText('<lee@customer.test>').waitFor()
      await editor.screenshot('36-inbox-third-party')

      // A dry run besides the real ones.
      await system.request('POST', `/flows/${flowId}/runs`, { input: { customer: { name: 'Sample', email: 'sample@example.com' }, message: { content: 'hello' } }, dryRun: true })

      await page.getByRole('navigation').getByRole('link', { name: m.nav.runs }).click()
      const table = page.getByRole('table', { name: m.runs.title })
      await until(async () => (await table.getByRole('row').count()) >= 3, 'the runs listed', 30_000)
      for (const header of [m.runs.flow, m.runs.trigger, m.runs.customer, m.runs.kind]) await table.getByRole('columnheader', { name: header }).waitFor()
      await table.getByRole('row', { name: new RegExp(`Orders.*Jane Customer.*${literally(m.runs.real)}`) }).first().waitFor()
      await table.getByRole('row', { name: new RegExp(`Orders.*${literally(m.runs.dry)}`) }).waitFor()
      await editor.screenshot('37-all-runs')
    })
  })

  it('changes the admin’s password from the user menu', async () => {
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      const openDialog = async () => {
        await page.getByRole('button', { name: m.account.menu }).click()
        await page.getByRole('menuitem', { name: m.account.changePasswordMenu }).click()
        return page.getByRole('dialog', { name: m.account.changePassword })
      }
      let dialog = await openDialog()
      await dialog.getByLabel(m.account.current).fill('not-my-password')
      await dialog.getByLabel(m.account.new, { exact: true }).fill('a-new-password-1')
      await dialog.getByLabel(m.account.repeat).fill('a-new-password-1')
      await dialog.getByRole('button', { name: m.account.submit }).click()
      await dialog.getByText(m.errors.codes.API_WRONG_PASSWORD).waitFor()
      await editor.screenshot('38-password-wrong')
      await dialog.getByRole('button', { name: m.app.cancel }).click()

      dialog = await openDialog()
      await dialog.getByLabel(m.account.current).fill(password)
      await dialog.getByLabel(m.account.new, { exact: true }).fill('a-new-password-1')
      await dialog.getByLabel(m.account.repeat).fill('a-new-password-1')
      await dialog.getByRole('button', { name: m.account.submit }).click()
      await page.getByText(m.account.changed).waitFor()
      password = 'a-new-password-1'

      // Signed out, the new password is the one that works.
      await page.getByRole('button', { name: m.account.menu }).click()
      await page.getByRole('menuitem', { name: m.app.logout }).click()
      await page.getByRole('heading', { name: m.login.title }).waitFor()
      await page.getByLabel(m.login.email, { exact: true }).fill(E2E.admin.email)
      await page.getByLabel(m.login.password, { exact: true }).fill(password)
      await page.getByRole('button', { name: m.login.submit }).click()
      await page.getByRole('button', { name: m.flows.addFlow }).waitFor()
    })
  })
})
