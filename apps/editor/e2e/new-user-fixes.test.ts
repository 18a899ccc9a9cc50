import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowDefinition } from '@replyflow/flow'
import type { Dialog, Page } from 'playwright-core'
import { E2E, referenceFlow, startSystem, type System } from '../../../e2e/harness.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage, fmt, until } from './editor-page.ts'

// What a new user tripped over in a trial of the editor, in one browser and one system.

describe('what a new user tripped over, in Chromium', () => {
  let system: System
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let page: Page
  let editor: EditorPage
  const problems: string[] = []

  beforeAll(async () => {
    system = await startSystem()
    await system.publishFlow(referenceFlow(), { name: 'Refund requests', trigger: 'email.received' })
    await system.publishFlow(referenceFlow(), { name: 'Manual one', trigger: 'manual' })
    browser = await launchChromium({ width: 1440, height: 900 })
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('pageerror', (error) => problems.push(error.message))
    editor = new EditorPage(page, 'en', system.apiUrl)
    await editor.login(E2E.admin.email, E2E.admin.password)
  })

  afterAll(async () => {
    await browser?.close()
    await system?.stop()
    expect(problems).toEqual([])
  })

  async function draftOf(name: string): Promise<FlowDefinition> {
    const flows = await system.request<{ items: { id: string; name: string }[] }>('GET', '/flows')
    const id = flows.body.items.find((flow) => flow.name === name)?.id
    if (!id) throw new Error(`no flow ${name}`)
    return (await system.request<{ draft: FlowDefinition }>('GET', `/flows/${id}`)).body.draft
  }

  function sideLink(name: string) {
    return page.getByRole('navigation').getByRole('link', { name, exact: true })
  }

  it('saves the last change before leaving the flow at once, for the right flow, and says so when it cannot', async () => {
    const { m } = editor
    const drafts: string[] = []
    page.on('request', (request) => {
      if (request.method() === 'PUT') drafts.push(new URL(request.url()).pathname)
    })
    await editor.openFlow('Refund requests')

    // A label changed, then straight to another screen.
    const panel = await editor.openPanel('check')
    await panel.getByLabel(m.panel.label, { exact: true }).fill('Renamed at once')
    await sideLink(m.nav.agents).click()
    await page.getByRole('heading', { name: m.agents.title }).waitFor()
    expect((await draftOf('Refund requests')).nodes.find((node) => node.id === 'check')?.label).toBe('Renamed at once')

    // A node dropped, then straight to another flow: the node goes to the flow it was dropped on.
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Refund requests')
    await editor.dragNode('end', 0.5, 0.85)
    await editor.flowInList('Manual one').dblclick()
    await page.getByRole('heading', { name: 'Manual one', exact: true }).waitFor()
    expect((await draftOf('Refund requests')).nodes.filter((node) => node.type === 'end')).toHaveLength(2)
    expect((await draftOf('Manual one')).nodes.filter((node) => node.type === 'end')).toHaveLength(1)
    expect(drafts.filter((path) => !/\/flows\/[\w-]+\/draft$/.test(path) || path.includes('undefined'))).toEqual([])

    // Saving fails: leaving says why and asks first, in the app's own dialog (never the browser's); staying keeps the change on screen.
    await page.route('**/draft', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'API_UNAVAILABLE', message: 'down' }) }))
    const nativePrompts: string[] = []
    const onNativePrompt = (dialog: Dialog) => {
      nativePrompts.push(dialog.message())
      void dialog.dismiss()
    }
    page.on('dialog', onNativePrompt)
    const again = await editor.openPanel('check')
    await again.getByLabel(m.panel.label, { exact: true }).fill('Not saved')
    await sideLink(m.nav.runs).click()
    await page.getByRole('alert').filter({ hasText: m.editor.save.failedLeaving.split('{')[0] ?? '' }).waitFor()
    const leave = page.getByRole('alertdialog', { name: m.editor.save.leaveTitle })
    await leave.getByText(m.editor.save.leaveUnsaved).waitFor()
    await editor.screenshot('42-leave-unsaved')
    await leave.getByRole('button', { name: m.app.cancel }).click()
    await until(async () => !(await leave.isVisible()), 'the question closed')
    page.off('dialog', onNativePrompt)
    expect(nativePrompts).toEqual([])
    await expect(page.getByRole('heading', { name: 'Manual one', exact: true }).isVisible()).resolves.toBe(true)
    await expect(editor.canvasNode('check').innerText()).resolves.toContain('Not saved')
    await page.unroute('**/draft')
    await sideLink(m.nav.runs).click()
    await page.getByRole('heading', { name: m.runs.title }).waitFor()
    expect((await draftOf('Manual one')).nodes.find((node) => node.id === 'check')?.label).toBe('Not saved')

    // Saving fails again, and this time the user leaves anyway.
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Manual one')
    await page.route('**/draft', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'API_UNAVAILABLE', message: 'down' }) }))
    const last = await editor.openPanel('check')
    await last.getByLabel(m.panel.label, { exact: true }).fill('Given up')
    await sideLink(m.nav.runs).click()
    await leave.getByRole('button', { name: m.editor.save.leaveConfirm }).click()
    await page.getByRole('heading', { name: m.runs.title }).waitFor()
    await page.unroute('**/draft')
    expect((await draftOf('Manual one')).nodes.find((node) => node.id === 'check')?.label).toBe('Not saved')
  })

  it('says before publishing which enabled flow of the same trigger will be switched off', async () => {
    const { m } = editor
    const created = await system.request<{ id: string }>('POST', '/flows', { name: 'Refunds, take two', channel: 'email', trigger: 'email.received' })
    await system.request('PUT', `/flows/${created.body.id}/draft`, { definition: referenceFlow() })
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Refunds, take two')
    await expect.poll(() => editor.publishButton().isEnabled()).toBe(true)
    await editor.publishButton().click()
    const dialog = page.getByRole('dialog', { name: m.publish.title })
    await dialog.getByText(fmt(m.publish.switchesOff, { names: '“Refund requests”' })).waitFor()
    await editor.screenshot('40-publish-switches-off')
    await dialog.getByRole('button', { name: m.app.cancel }).click()

    // A manual flow switches nothing off.
    await editor.openFlow('Manual one')
    await expect.poll(() => editor.publishButton().isEnabled()).toBe(true)
    await editor.publishButton().click()
    await dialog.getByRole('button', { name: m.publish.submit }).waitFor()
    await expect(dialog.getByText(m.publish.switchesOff.split('{names}')[0] ?? '').count()).resolves.toBe(0)
    await dialog.getByRole('button', { name: m.app.cancel }).click()
  })

  it('keeps long names without spaces inside their columns: agents, the flows list, the editor toolbar', async () => {
    const { m } = editor
    const agentName = `Agent${'x'.repeat(145)}`
    const flowName = `Flow${'y'.repeat(116)}`
    await system.createAgent({ name: agentName, email: 'long@agents.test' })
    await system.request('POST', '/flows', { name: flowName, channel: 'email', trigger: 'manual' })
    const width = page.viewportSize()?.width ?? 0
    const withinWindow = async (text: string) => {
      const box = await page.getByText(text, { exact: true }).first().boundingBox()
      return box !== null && box.x + box.width <= width
    }

    await sideLink(m.nav.agents).click()
    await page.getByRole('heading', { name: m.agents.title }).waitFor()
    expect(await withinWindow(agentName)).toBe(true)
    expect(await editor.inView(page.getByRole('button', { name: fmt(m.agents.delete, { name: agentName }) }))).toBe(true)
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await editor.screenshot('41-long-agent-name')

    await sideLink(m.nav.emailFlows).click()
    const listed = await page.getByRole('list', { name: m.flows.listLabel }).getByText(flowName, { exact: true }).boundingBox()
    const list = await page.getByRole('list', { name: m.flows.listLabel }).boundingBox()
    expect(listed && list ? listed.x + listed.width <= list.x + list.width : false).toBe(true)
    expect(await editor.inView(page.getByRole('button', { name: fmt(m.flows.actions.label, { name: flowName }), exact: true }))).toBe(true)
    await editor.screenshot('42-long-flow-name')

    // Open, its name gives way to the toolbar's commands.
    await editor.flowInList(flowName).dblclick()
    await editor.canvasNode('start').waitFor()
    expect(await editor.inView(editor.publishButton())).toBe(true)
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await editor.screenshot('43-long-flow-name-open')

    // The inbox: a long customer name and subject, assigned to the long-named agent, answered by a picker of agents.
    const flows = await system.request<{ items: { id: string; name: string }[] }>('GET', '/flows')
    const manual = flows.body.items.find((flow) => flow.name === 'Manual one')?.id ?? ''
    const subject = `Subject${'s'.repeat(140)}`
    await system.waitForRun(await system.triggerRun(manual, { customer: { name: `Customer${'z'.repeat(140)}`, email: 'long@customer.test' }, message: { subject, content: 'Hello' } }))
    await sideLink(m.nav.inbox).click()
    await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
    await page.getByRole('link', { name: new RegExp(subject) }).click()
    const thread = await page.locator('.thread').boundingBox()
    const inside = async (selector: string) => {
      const box = await page.locator(selector).first().boundingBox()
      return box !== null && thread !== null && box.x >= thread.x && box.x + box.width <= thread.x + thread.width
    }
    await page.getByRole('heading', { name: subject }).waitFor()
    for (const selector of ['.thread-head h2', '.message .author', '.answer-as .select']) expect(await inside(selector), selector).toBe(true)
    expect(await editor.inView(page.getByRole('button', { name: m.inbox.send }))).toBe(true)
    await editor.screenshot('43-long-names-inbox')
  })

  it('frames the whole flow beside the panels when it opens, from the list and from Runs, and follows a node added from the keyboard', async () => {
    const { m } = editor
    const ids = referenceFlow().nodes.map((node) => node.id)
    const allOnScreen = async () => (await Promise.all(ids.map((id) => editor.onScreen(id)))).every(Boolean)
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Refund requests')
    await until(allOnScreen, 'the whole flow in view, opened from the list', 5000)
    await editor.screenshot('44-opened-from-list')

    // A node added from the keyboard lands beside the flow, and the view follows it.
    const before = await page.locator('.vue-flow__node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')))
    await editor.paletteItem('end').focus()
    await page.keyboard.press('Enter')
    await until(async () => (await page.locator('.vue-flow__node').count()) === before.length + 1, 'the node added')
    const added = (await page.locator('.vue-flow__node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')))).find((id) => !before.includes(id))
    await until(() => editor.onScreen(added ?? ''), 'the added node brought into view', 5000)
    await editor.screenshot('45-added-from-keyboard')
    await page.keyboard.press('Control+z')

    // Opened from the Runs screen, a run shows on the whole flow.
    const flows = await system.request<{ items: { id: string; name: string }[] }>('GET', '/flows')
    const manual = flows.body.items.find((flow) => flow.name === 'Manual one')?.id ?? ''
    await system.waitForRun(await system.triggerRun(manual, { customer: { name: 'Jane', email: 'jane@customer.test' }, message: { subject: 'Hi', content: 'Hello' } }))
    await sideLink(m.nav.runs).click()
    await page.getByRole('link', { name: m.runs.openOnCanvas }).first().click()
    await page.getByText(m.runs.hide).first().waitFor()
    await until(allOnScreen, 'the whole flow in view, opened from Runs', 5000)
    await editor.screenshot('46-opened-from-runs')
  })

  it('says how to bring back a closed flow list, on a button that shows its name', async () => {
    const { m } = editor
    await sideLink(m.nav.emailFlows).click()
    await page.getByText(m.flows.nothingOpen).waitFor()
    await page.getByRole('button', { name: m.flows.closeList }).click()
    await page.getByText(m.flows.nothingOpenListClosed).waitFor()
    const reopen = page.getByRole('button', { name: m.flows.openList })
    await expect(reopen.innerText()).resolves.toBe(m.flows.openList)
    expect(await editor.inView(reopen)).toBe(true)
    await editor.screenshot('47-list-closed')
    await reopen.click()
    await page.getByText(m.flows.nothingOpen).waitFor()
  })

  it('opens a run from anywhere on its row in the Runs list, and from the keyboard', async () => {
    const { m } = editor
    await sideLink(m.nav.runs).click()
    const row = page.getByRole('row').filter({ hasText: 'Manual one' }).first()
    // On its date, far from the Open on canvas link.
    await row.click({ position: { x: 24, y: 12 } })
    await page.getByRole('heading', { name: 'Manual one', exact: true }).waitFor()
    await page.getByText(m.runs.hide).first().waitFor()
    // Beside the canvas, the Runs tab with the run's steps.
    await page.getByRole('list', { name: m.runs.steps }).waitFor()
    await expect(editor.tab(m.editor.tabs.runs).getAttribute('aria-selected')).resolves.toBe('true')

    await sideLink(m.nav.runs).click()
    await row.getByRole('link', { name: m.runs.openOnCanvas }).focus()
    await editor.screenshot('48-run-row-focused')
    await page.keyboard.press('Enter')
    await page.getByText(m.runs.hide).first().waitFor()
  })

  it('connects by dragging with some slack: grabbed beside the handle, dropped near the other', async () => {
    const { m } = editor
    const created = await system.request<{ id: string }>('POST', '/flows', { name: 'Slack', channel: 'email', trigger: 'manual' })
    const draft = {
      schemaVersion: 1,
      channel: 'email',
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} },
        { id: 'end', type: 'end', position: { x: 420, y: 120 }, config: {} },
      ],
      edges: [],
    }
    await system.request('PUT', `/flows/${created.body.id}/draft`, { definition: draft })
    // The list loads on arrival: come to it anew.
    await page.reload()
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Slack')
    const from = await page.getByLabel(fmt(m.node.output, { result: editor.result('SUCCESS'), node: editor.kind('start') }), { exact: true }).boundingBox()
    const to = await page.getByLabel(fmt(m.node.input, { node: editor.kind('end') }), { exact: true }).boundingBox()
    if (!from || !to) throw new Error('no handles')
    // Beside the dot (not on it), and released 25 px off the input handle.
    await page.mouse.move(from.x + from.width + 3, from.y + from.height / 2)
    await page.mouse.down()
    await page.mouse.move(to.x + to.width / 2 - 25, to.y + to.height / 2 + 8, { steps: 12 })
    await page.mouse.up()
    await editor.edge('start', 'SUCCESS').waitFor({ timeout: 3000 })
  })

  it("signs an answer of a since-deleted agent as such, and shows the answerer as assignee at once", async () => {
    const { m } = editor
    const gone = await system.createAgent({ name: 'Gone Agent', email: 'gone@agents.test' })
    const flows = await system.request<{ items: { id: string; name: string }[] }>('GET', '/flows')
    const manual = flows.body.items.find((flow) => flow.name === 'Manual one')?.id ?? ''
    const run = await system.waitForRun(await system.triggerRun(manual, { customer: { name: 'Kim', email: 'kim@customer.test' }, message: { subject: 'Deleted agent case', content: 'Hello' } }))
    await system.request('POST', `/conversations/${run.conversationId}/messages`, { content: 'Answered before leaving.', agentId: gone.id })
    await system.request('DELETE', `/agents/${gone.id}`)
    await sideLink(m.nav.inbox).click()
    await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
    await page.getByRole('link', { name: /Deleted agent case/ }).click()
    await page.locator('.message.out .author').getByText(m.inbox.deletedAgent, { exact: true }).waitFor()
  })

  it('follows a queued run on the Runs page until it has run, without a click on Refresh', async () => {
    const { m } = editor
    const flows = await system.request<{ items: { id: string; name: string }[] }>('GET', '/flows')
    const manual = flows.body.items.find((flow) => flow.name === 'Manual one')?.id ?? ''
    // No worker for a moment: the run waits in the queue.
    for (const worker of system.workers.splice(0)) await worker.stop()
    await system.triggerRun(manual, { customer: { name: 'Pat Pending', email: 'pat@customer.test' }, message: { subject: 'Queued', content: 'Hello' } })
    await sideLink(m.nav.runs).click()
    const row = page.getByRole('row').filter({ hasText: 'Pat Pending' })
    await row.getByText(m.runs.status.queued).waitFor()
    await system.addWorker()
    await row.getByText(m.runs.status.succeeded).waitFor({ timeout: 15_000 })
  })

  it('says when the draft holds changes not yet published, until they are', async () => {
    const { m } = editor
    await system.publishFlow(referenceFlow(), { name: 'Badge' })
    await page.reload()
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Badge')
    const badge = page.getByText(m.editor.unpublished, { exact: true })
    await page.getByText(fmt(m.flows.activeVersion, { version: 1 })).first().waitFor()
    expect(await badge.count()).toBe(0)

    const panel = await editor.openPanel('check')
    await panel.getByLabel(m.panel.label, { exact: true }).fill('Asks for money back?')
    await badge.waitFor()
    await editor.waitSaved()
    await editor.screenshot('50-unpublished-changes')
    await editor.publish('v2', 2)
    await badge.waitFor({ state: 'detached' })
  })

  it('keeps Publish disabled while the draft is the active version, and says why; a flow never published can be published', async () => {
    const { m } = editor
    await system.publishFlow(referenceFlow(), { name: 'Nothing new' })
    const unpublished = await system.request<{ id: string }>('POST', '/flows', { name: 'Never published', channel: 'email', trigger: 'manual' })
    await system.request('PUT', `/flows/${unpublished.body.id}/draft`, { definition: referenceFlow() })
    await page.reload()
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('Nothing new')
    const publish = editor.publishButton()
    // Said on hover and to a screen reader (once the active version is read: until then nothing is claimed).
    const nothingToPublish = page.getByTitle(m.editor.nothingToPublish, { exact: true })
    await nothingToPublish.waitFor()
    await expect(publish.isDisabled()).resolves.toBe(true)
    const describedBy = (await publish.getAttribute('aria-describedby')) ?? ''
    await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe(m.editor.nothingToPublish)
    await editor.screenshot('51-nothing-to-publish')

    // An edit gives it something to publish; taking the edit back, nothing again.
    const panel = await editor.openPanel('check')
    await panel.getByLabel(m.panel.label, { exact: true }).fill('Asks for money back?')
    await expect.poll(() => publish.isEnabled()).toBe(true)
    await expect(nothingToPublish.count()).resolves.toBe(0)
    await panel.getByLabel(m.panel.label, { exact: true }).fill('')
    await nothingToPublish.waitFor()
    await expect(publish.isDisabled()).resolves.toBe(true)
    await editor.waitSaved()

    await editor.openFlow('Never published')
    await expect.poll(() => publish.isEnabled()).toBe(true)
    await expect(nothingToPublish.count()).resolves.toBe(0)
  })

  it('names a run’s steps as the admin named the nodes in the version it ran, with the kind beside them', async () => {
    const { m } = editor
    const labelled = referenceFlow()
    labelled.nodes = labelled.nodes.map((node) => (node.id === 'check' ? { ...node, label: 'Asks for money back?' } : node))
    const { id } = await system.publishFlow(labelled, { name: 'Named steps' })
    // The draft has moved on since: the run still ran (and is named by) version 1.
    const renamed = { ...labelled, nodes: labelled.nodes.map((node) => (node.id === 'check' ? { ...node, label: 'Renamed in the draft' } : node)) }
    await system.request('PUT', `/flows/${id}/draft`, { definition: renamed })
    await system.waitForRun(await system.triggerRun(id, { customer: { name: 'Sam Steps', email: 'sam@customer.test' } }))

    await page.reload()
    await sideLink(m.nav.runs).click()
    await page.getByRole('row').filter({ hasText: 'Sam Steps' }).getByRole('link', { name: m.runs.openOnCanvas }).click()
    const steps = page.getByRole('list', { name: m.runs.steps })
    const check = steps.getByRole('listitem').filter({ hasText: 'check' })
    await check.getByText('Asks for money back?', { exact: true }).waitFor()
    await expect(check.getByText(`${editor.kind('logic')} · check`).count()).resolves.toBe(1)
    await expect(steps.getByText('Renamed in the draft').count()).resolves.toBe(0)
    // An unlabelled node is named by its kind.
    await expect(steps.getByRole('listitem').filter({ hasText: 'customer' }).locator('.step-node').innerText()).resolves.toBe(editor.kind('get_customer_data'))
    await editor.screenshot('53-run-steps-named')
  })

  it('offers the Start in the palette only while the flow has none, says why, and pastes no second Start', async () => {
    const { m } = editor
    const created = await system.request<{ id: string }>('POST', '/flows', { name: 'One start', channel: 'email', trigger: 'manual' })
    await system.request('PUT', `/flows/${created.body.id}/draft`, { definition: referenceFlow() })
    const starts = async () => (await draftOf('One start')).nodes.filter((node) => node.type === 'start').length
    const nodes = page.locator('.vue-flow__node')
    await page.reload()
    await sideLink(m.nav.emailFlows).click()
    await editor.openFlow('One start')

    // Not addable by click, Enter or drag, and it says why.
    const start = editor.paletteItem('start')
    await expect(start.isDisabled()).resolves.toBe(true)
    await expect(start.getAttribute('draggable')).resolves.toBe('false')
    await expect(start.getAttribute('title')).resolves.toBe(m.palette.startPlaced)
    const describedBy = (await start.getAttribute('aria-describedby')) ?? ''
    await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe(m.palette.startPlaced)
    await start.click({ force: true })
    await start.focus()
    await page.keyboard.press('Enter')
    const box = await editor.pane().boundingBox()
    await start.dragTo(editor.pane(), { force: true, targetPosition: { x: (box?.width ?? 400) / 2, y: (box?.height ?? 400) - 60 } })
    await expect(nodes.count()).resolves.toBe(6)
    await editor.screenshot('52-start-in-palette-placed')

    // The Start copied with the node after it: the node is pasted, the Start left out, and the user is told.
    await editor.canvasNode('start').click({ position: { x: 12, y: 12 } })
    await editor.canvasNode('customer').click({ position: { x: 12, y: 12 }, modifiers: ['Control'] })
    await until(async () => (await page.locator('.vue-flow__node.selected').count()) === 2, 'Start and the next node selected')
    await page.keyboard.press('Control+c')
    await page.keyboard.press('Control+v')
    await page.getByText(m.editor.startNotPasted).waitFor()
    await until(async () => (await nodes.count()) === 7, 'the node pasted')
    await editor.waitSaved()
    expect(await starts()).toBe(1)

    // Deleting the Start offers it again; placed, it is gone from the palette once more.
    await editor.canvasNode('start').click({ position: { x: 12, y: 12 } })
    await page.keyboard.press('Delete')
    await expect.poll(() => start.isEnabled()).toBe(true)
    await start.click()
    await editor.canvasNode('start').waitFor()
    await expect.poll(() => start.isDisabled()).toBe(true)
    await editor.waitSaved()
    expect(await starts()).toBe(1)
  })
})
