import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locale } from '@replyflow/flow'
import { E2E, eventually, startSystem, type System } from '../../../e2e/harness.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage, inChromium, fmt, until } from './editor-page.ts'

// The reference walkthrough of DESIGN.md §1, played in real Chromium by a new
// admin against a real API, worker and Mailgun server — in English and in 简体中文.

const basic = `Basic ${Buffer.from(`api:${E2E.mailgun.apiKey}`).toString('base64')}`

describe('the editor, end to end in Chromium', () => {
  let system: System

  /** Mailgun's own API on the local server (routes, sending), as a form post. */
  async function mailgunApi(path: string, fields: Record<string, string | string[]>): Promise<void> {
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one)
    const response = await fetch(`${system.mailgun.url}${path}`, { method: 'POST', body, headers: { authorization: basic } })
    expect(response.status).toBe(200)
  }

  const withEditor = (locale: Locale, play: (editor: EditorPage) => Promise<void>) => inChromium(system.apiUrl, locale, play, { width: 1920, height: 1080 })

  beforeAll(async () => {
    system = await startSystem()
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    // The team address the Mailgun route matches, forwarding to Replyflow's webhook.
    await mailgunApi('/v3/routes', { priority: '1', expression: `match_recipient("${E2E.teamAddress}")`, action: [`forward("${system.apiUrl}/webhooks/mailgun/inbound")`, 'stop()'] })
  })

  afterAll(async () => {
    await system?.stop()
  })

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`plays the reference walkthrough as a new admin (${locale})`, async () => {
      await withEditor(locale, async (editor) => {
        const { m, page } = editor
        const flowName = locale === 'en' ? 'Refund requests' : '退款请求'

        await editor.login(E2E.admin.email, E2E.admin.password)
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
        await page.getByRole('heading', { name: m.flows.listTitleEmail }).waitFor()

        // 1. Double-click Add flow, name it, choose when it runs: the new flow opens on the canvas at once.
        await editor.addFlow(flowName, 'email.received')
        await expect(editor.flowInList(flowName).textContent()).resolves.toContain(m.flows.noActiveVersion)
        await editor.screenshot('01-flow-list')

        // 2. Double-click the flow to open it (again), then close the list for room.
        await editor.openFlow(flowName)
        await page.getByRole('button', { name: m.flows.closeList }).click()
        await expect(page.getByRole('list', { name: m.flows.listLabel }).count()).resolves.toBe(0)
        // Zoomed out, the six nodes dropped across the pane leave their edges room for their result labels.
        for (let i = 0; i < 3; i++) await page.getByRole('button', { name: m.editor.zoomOut }).click()

        // 3. Drag the six nodes into place (Start is already there: move it).
        await editor.moveNode('start', 0.08, 0.3)
        await editor.dragNode('get_customer_data', 0.27, 0.3)
        await editor.dragNode('logic', 0.46, 0.3)
        await editor.dragNode('assign_all_agents', 0.46, 0.58)
        await editor.dragNode('message_conversion', 0.65, 0.3)
        await editor.dragNode('end', 0.84, 0.3)
        await expect(page.locator('.vue-flow__node').count()).resolves.toBe(6)
        await editor.screenshot('02-nodes-dropped')

        // Connect by dragging from the result handles…
        await editor.connectByHandle('start', 'SUCCESS', 'get_customer_data')
        await editor.connectByHandle('get_customer_data', 'SUCCESS', 'logic')
        await editor.connectByHandle('logic', 'SUCCESS', 'message_conversion')
        await editor.connectByHandle('logic', 'FALSE', 'assign_all_agents')
        // …and through the node panel's Connections section.
        await editor.connectInPanel('assign_all_agents', 'SUCCESS', 'message_conversion')
        await editor.connectInPanel('message_conversion', 'SUCCESS', 'end')
        await expect(page.locator('.vue-flow__edge').count()).resolves.toBe(6)
        await page.getByRole('button', { name: m.editor.fitView }).click()
        // The panel shows the edges drawn on the canvas too.
        const logicPanel = await editor.openPanel('logic')
        await expect(logicPanel.getByLabel(fmt(m.panel.nextNode, { result: editor.result('FALSE') })).inputValue()).resolves.toBe('assign_all_agents')
        await editor.screenshot('03-connected')

        // Configure: the var_ rule rejects `content`…
        const customerPanel = await editor.openPanel('get_customer_data')
        await customerPanel.getByLabel(m.config.category).selectOption('standard')
        await customerPanel.getByLabel(m.config.field).selectOption('message.content')
        const variable = customerPanel.getByLabel(m.config.variable)
        await variable.fill('content')
        await customerPanel.getByText(fmt(m.config.variableInvalid, { variable: 'content' })).waitFor()
        await expect(variable.getAttribute('aria-invalid')).resolves.toBe('true')
        await until(async () => (await editor.nodeClasses('get_customer_data')).includes('has-issues'), 'issue badge on the node')
        await expect(editor.publishButton().isDisabled()).resolves.toBe(true)
        await editor.screenshot('04-var-prefix-rejected')
        // …until it starts with var_.
        await variable.fill('var_content')
        await until(async () => !(await editor.nodeClasses('get_customer_data')).includes('has-issues'), 'issue badge cleared')

        // Logic operation: the expression, with completion of upstream variables.
        await editor.openPanel('logic')
        const expression = page.getByRole('combobox', { name: m.config.expression })
        await expression.click()
        await expression.pressSequentially('var_c')
        await page.getByRole('option', { name: 'var_content' }).waitFor()
        await expression.press('Enter')
        await expression.pressSequentially(".contains('refund')")
        await expect(expression.inputValue()).resolves.toBe("var_content.contains('refund')")

        // Message conversion: an e-mail flow converts to e-mail, and only that is offered.
        const convertPanel = await editor.openPanel('message_conversion')
        const output = convertPanel.getByLabel(m.config.channelOutput)
        await expect(output.locator('option').allTextContents()).resolves.toEqual([m.config.channels.email])

        // Every issue gone: the issues tab says so, and Publish is enabled.
        await editor.tab(fmt(m.editor.tabs.issues, { count: 0 })).click()
        await page.getByText(m.issues.none).waitFor()
        await editor.waitSaved()
        await editor.screenshot('05-configured')

        // 4. Publish v1, then v2.
        await editor.publish('v1', 1)
        await page.getByText(fmt(m.flows.activeVersion, { version: 1 })).first().waitFor()
        await editor.screenshot('06-published-v1')
        const labelField = (await editor.openPanel('logic')).getByLabel(m.panel.label)
        await labelField.fill(locale === 'en' ? 'Asks for a refund?' : '要求退款？')
        await editor.publish('v2', 2)

        // Versions: compare v1 with v2 (the relabelled node is marked changed), roll back to v1.
        await editor.tab(m.editor.tabs.versions).click()
        await page.getByLabel(m.versions.compareFrom).selectOption('1')
        await page.getByLabel(m.versions.compareTo).selectOption('2')
        await page.getByRole('button', { name: m.versions.compareSubmit }).click()
        await page.getByText(fmt(m.editor.comparing, { from: 1, to: 2 })).waitFor()
        await until(async () => (await editor.nodeClasses('logic')).includes('diff-changed'), 'logic marked changed')
        await expect(editor.nodeClasses('end')).resolves.not.toContain('diff-changed')
        await editor.screenshot('07-compare-v1-v2')
        await page.getByRole('button', { name: m.editor.backToDraft }).click()
        await page.getByRole('button', { name: fmt(m.versions.activate, { version: 1 }) }).click()
        await page.getByText(fmt(m.versions.activated, { version: 1 })).waitFor()
        await page.getByText(fmt(m.flows.activeVersion, { version: 1 })).first().waitFor()
        await editor.screenshot('08-rolled-back')

        // 5. A test run — a dry run of the draft — shown live on the canvas: the path it took, with results,
        // and what it would have done, with nothing sent or assigned.
        await page.getByRole('button', { name: m.editor.testRun }).first().click()
        await until(async () => (await page.locator('.vue-flow__node .step.run-success').count()) === 4, 'four nodes succeeded', 30_000)
        await expect(editor.nodeClasses('end')).resolves.toContain('run-end')
        await expect(editor.nodeClasses('assign_all_agents')).resolves.toContain('run-off-path')
        await expect(page.locator('.vue-flow__edge.run-on-path').count()).resolves.toBe(4)
        const runPanel = page.getByRole('tabpanel')
        await runPanel.getByText(m.runs.status.succeeded).first().waitFor()
        await runPanel.getByText(m.runs.dryNotice, { exact: true }).waitFor()
        await runPanel.getByText(`${m.runs.effects.wouldMail}${m.app.sentenceSeparator}Ann Agent <ann@agents.test>`).waitFor()
        await editor.screenshot('09-test-run-path')
        // The history tells dry runs from real ones.
        await expect(runPanel.getByRole('button', { name: /./ }).filter({ hasText: m.runs.dry }).count()).resolves.toBeGreaterThan(0)

        // What the API holds is what was built: v1 active, v2 kept; the test run was a dry run that mailed no one.
        const flows = await system.request<{ items: { id: string; name: string; activeVersion: number | null; enabled: boolean }[] }>('GET', '/flows')
        const built = flows.body.items.find((flow) => flow.name === flowName)
        expect(built).toMatchObject({ activeVersion: 1, enabled: true })
        const runs = await system.request<{ items: { dryRun: boolean; conversationId: string | null }[] }>('GET', `/flows/${built?.id}/runs`)
        expect(runs.body.items).toEqual([expect.objectContaining({ dryRun: true, conversationId: null })])
      })
    })
  }

  it("runs no script that isn't its own, should markup ever slip into the page", async () => {
    const browser = await launchChromium()
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage())
      const editor = new EditorPage(page, 'en', system.apiUrl)
      await editor.login(E2E.admin.email, E2E.admin.password)
      // Markup as an attacker would slip it in: an inline script and an event handler attribute.
      await page.evaluate(
        "document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.injected = true' }), " +
          "Object.assign(document.createElement('img'), { src: 'data:,' }))",
      )
      await page.evaluate("document.body.lastElementChild.setAttribute('onerror', 'window.injected = true'); document.body.lastElementChild.src = 'data:,x'")
      await new Promise((resolve) => setTimeout(resolve, 200))
      const ran = await page.evaluate(() => Reflect.get(globalThis, 'injected') === true)
      expect(ran).toBe(false)
    } finally {
      await browser.close()
    }
  })

  it('adds and connects a node from the keyboard alone', async () => {
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)
      await editor.addFlow('Keyboard flow', 'manual')
      await editor.openFlow('Keyboard flow')
      // Focus a palette item and press Enter: the node is added and its settings open.
      await editor.paletteItem('end').focus()
      await page.keyboard.press('Enter')
      await editor.canvasNode('end').waitFor()
      await editor.paletteItem('get_customer_data').focus()
      await page.keyboard.press('Enter')
      await editor.canvasNode('get_customer_data').waitFor()
      const panel = page.getByRole('tabpanel')
      await panel.getByRole('heading', { name: editor.kind('get_customer_data') }).waitFor()
      // Its Connections section, from the keyboard: SUCCESS → End.
      const select = panel.getByLabel(fmt(m.panel.nextNode, { result: editor.result('SUCCESS') }))
      await select.focus()
      await page.keyboard.press('ArrowDown')
      await until(async () => (await select.inputValue()) === 'end', 'next node chosen with the keyboard')
      await editor.edge('get_customer_data', 'SUCCESS').waitFor()
      await editor.screenshot('10-keyboard')
      // Ctrl+Z (outside a text field) undoes the connection.
      await page.getByRole('button', { name: m.editor.fitView }).focus()
      await page.keyboard.press('Control+z')
      await until(async () => (await editor.edge('get_customer_data', 'SUCCESS').count()) === 0, 'edge undone')
      await page.keyboard.press('Control+Shift+z')
      await editor.edge('get_customer_data', 'SUCCESS').waitFor()

      // Export the flow as JSON, and import it back after deleting a node.
      const download = page.waitForEvent('download')
      await page.getByRole('button', { name: m.editor.export }).click()
      const file = await (await download).path()
      const exported = JSON.parse(await readFile(file, 'utf8'))
      expect(exported.nodes.map((node: { id: string }) => node.id).sort()).toEqual(['end', 'get_customer_data', 'start'])
      await editor.canvasNode('end').click()
      await page.keyboard.press('Delete')
      await until(async () => (await editor.canvasNode('end').count()) === 0, 'end deleted')
      await page.getByLabel(m.editor.importFile).setInputFiles(file)
      await page.getByText(m.editor.imported).waitFor()
      await editor.canvasNode('end').waitFor()
      await editor.edge('get_customer_data', 'SUCCESS').waitFor()
    })
  })

  it('sets the offline e-mail sender and answers a customer from the inbox', async () => {
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)

      // Settings → Customer offline message handling → EMAIL.
      await page.getByRole('link', { name: `${m.nav.offline}: ${m.nav.offlineEmail}` }).click()
      await page.getByRole('heading', { name: m.offline.title }).waitFor()
      await page.getByLabel(m.offline.team).check()
      await page.getByLabel(m.offline.teamAddress).fill(E2E.teamAddress)
      await page.getByRole('button', { name: m.app.save }).click()
      await page.getByText(m.offline.saved).waitFor()
      await editor.screenshot('11-offline-email')
      const settings = await system.request<{ senderMode: string; teamAddress: string }>('GET', '/settings/offline-email')
      expect(settings.body).toEqual({ senderMode: 'team', teamAddress: E2E.teamAddress })

      // A customer writes to the team address; Mailgun's route forwards it to Replyflow.
      await mailgunApi(`/v3/${E2E.mailgun.domain}/messages`, {
        from: 'Jane Customer <jane@customer.test>',
        to: E2E.teamAddress,
        subject: 'Where is my parcel?',
        text: 'Hello, my parcel has not arrived.',
        html: '<p>Hello, my parcel has <b>not arrived</b>.</p><script>window.parent.hacked = true</script>',
        'h:Message-Id': '<jane-parcel-1@customer.test>',
      })
      await fetch(`${system.mailgun.url}/mailbox/relays/idle`, { method: 'POST' })

      await page.getByRole('link', { name: m.nav.inbox }).click()
      await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
      const conversation = page.getByRole('link', { name: /Where is my parcel\?/ })
      await eventually(async () => {
        if ((await conversation.count()) > 0) return true
        await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.unassigned).click()
        await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
        return undefined
      }, { what: 'the conversation in the inbox' })
      await conversation.click()
      // The sanitised HTML is shown in a sandboxed frame; its script never ran.
      const frame = page.frameLocator(`iframe[title="${m.inbox.htmlFrame}"]`).first()
      await frame.getByText('not arrived').waitFor()
      await expect(page.evaluate(() => Reflect.get(globalThis, 'hacked'))).resolves.toBeUndefined()

      await page.getByLabel(m.inbox.reply, { exact: true }).fill('Your parcel is on its way.')
      await page.getByRole('button', { name: m.inbox.send }).click()
      await page.getByText(m.inbox.sent).waitFor()
      await editor.screenshot('12-inbox-reply')

      // The answer went out to the customer, in the same thread.
      const [mail] = await system.mailgun.waitForMessages(1, { where: (message) => message.to.some((to) => to.includes('jane@customer.test')) })
      expect(mail?.text).toContain('Your parcel is on its way.')
      expect(mail?.headers['In-Reply-To'] ?? mail?.headers['h:In-Reply-To'] ?? '').toContain('jane-parcel-1@customer.test')
    })
  })

  it('shows the reply part of a quoted mail with its original on demand, and flags an automatic reply', async () => {
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)
      const original = '好的，谢谢！\n\n------------------ 原始邮件 ------------------\n发件人: "Acme" <support@acme.example>;\n\n您好，退款已提交。'
      await mailgunApi(`/v3/${E2E.mailgun.domain}/messages`, { from: 'Li Wei <li@customer.test>', to: E2E.teamAddress, subject: 'Refund status', text: original })
      await mailgunApi(`/v3/${E2E.mailgun.domain}/messages`, {
        from: 'Away <away@customer.test>',
        to: E2E.teamAddress,
        subject: 'Out of office',
        text: 'I am away until Monday.',
        'h:Auto-Submitted': 'auto-replied',
      })
      await fetch(`${system.mailgun.url}/mailbox/relays/idle`, { method: 'POST' })

      await page.getByRole('link', { name: m.nav.inbox }).click()
      await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
      await page.getByRole('link', { name: /Refund status/ }).click()
      const thread = page.locator('.messages')
      await thread.getByText('好的，谢谢！').waitFor()
      expect(await thread.getByText('原始邮件').count()).toBe(0)
      await page.getByRole('button', { name: m.inbox.showOriginal }).click()
      await expect(page.getByLabel(m.inbox.original).textContent()).resolves.toContain('退款已提交')
      await editor.screenshot('13-inbox-original')

      await page.getByRole('link', { name: /Out of office/ }).click()
      await thread.getByText(m.inbox.flagShort.autoReply, { exact: true }).waitFor()
      await thread.getByText(m.inbox.flag.autoReply).waitFor()
      expect(await page.getByRole('button', { name: m.inbox.showOriginal }).count()).toBe(0)
    })
  })
})
