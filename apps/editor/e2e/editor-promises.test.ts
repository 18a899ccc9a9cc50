import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowDefinition, Locale } from '@replyflow/flow'
import type { Page } from 'playwright-core'
import { E2E, referenceFlow, startSystem, type System } from '../../../e2e/harness.ts'
import { EditorPage, inChromium, MESSAGES, fmt, literally, until } from './editor-page.ts'

// The editor's remaining promises (issue 6), each played as a user would in
// real Chromium: editing comfort on the canvas, an older version read-only, an
// earlier run on the canvas, issues that lead to their node, switching the
// language, and an accessible name on every control of every main screen.

/** Four nodes 100 px apart (a card is 200 wide), so a box can be drawn around two of them. */
function smallFlow(): FlowDefinition {
  return {
    schemaVersion: 1,
    channel: 'email',
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} },
      { id: 'read', type: 'get_customer_data', position: { x: 300, y: 0 }, config: { outputs: [{ variable: 'var_content', category: 'standard', field: 'message.content' }] } },
      { id: 'check', type: 'logic', position: { x: 600, y: 0 }, config: { expression: "var_content.contains('refund')" } },
      { id: 'end', type: 'end', position: { x: 900, y: 0 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'read', result: 'SUCCESS' },
      { id: 'e2', source: 'read', target: 'check', result: 'SUCCESS' },
      { id: 'e3', source: 'check', target: 'end', result: 'SUCCESS' },
      { id: 'e4', source: 'check', target: 'end', result: 'FALSE' },
    ],
  }
}

describe('the editor’s promises, in Chromium', () => {
  let system: System

  beforeAll(async () => {
    system = await startSystem({ devMailbox: true })
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
  })

  afterAll(async () => {
    await system?.stop()
  })

  const withEditor = (locale: Locale, play: (editor: EditorPage) => Promise<void>) =>
    inChromium(system.apiUrl, locale, async (editor) => {
      await editor.login(E2E.admin.email, E2E.admin.password)
      await play(editor)
    })

  /** A flow with `definition` as its draft, not published. */
  async function draftFlow(name: string, definition: FlowDefinition): Promise<string> {
    const flow = await system.request<{ id: string }>('POST', '/flows', { name, channel: definition.channel, trigger: 'manual' })
    expect(flow.status).toBe(201)
    expect((await system.request('PUT', `/flows/${flow.body.id}/draft`, { definition })).status).toBe(200)
    return flow.body.id
  }

  /** The draft as the API holds it (what autosave stored). */
  async function storedDraft(flowId: string): Promise<FlowDefinition> {
    return (await system.request<{ draft: FlowDefinition }>('GET', `/flows/${flowId}`)).body.draft
  }

  /** Polls the stored draft until `check` holds for it, and returns it. */
  async function draftWhere(flowId: string, check: (draft: FlowDefinition) => boolean, what: string): Promise<FlowDefinition> {
    let draft = await storedDraft(flowId)
    await until(async () => check((draft = await storedDraft(flowId))), what)
    return draft
  }

  const ids = (definition: FlowDefinition) => definition.nodes.map((node) => node.id).sort()
  const position = (definition: FlowDefinition, id: string) => definition.nodes.find((node) => node.id === id)?.position

  /** The canvas viewport's zoom, as Vue Flow applies it. */
  async function zoom(page: Page): Promise<number> {
    const transform = (await page.locator('.vue-flow__transformationpane').getAttribute('style')) ?? ''
    return Number(/scale\(([\d.]+)\)/.exec(transform)?.[1] ?? Number.NaN)
  }

  it('copies, pastes, duplicates, box- and Ctrl-selects, deletes, snaps to the grid, zooms — and undoes each', async () => {
    const flowId = await draftFlow('Comfort', smallFlow())
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.openFlow('Comfort')
      await page.getByRole('button', { name: m.flows.closeList }).click()
      await page.getByRole('button', { name: m.editor.fitView }).click()
      await until(async () => (await editor.onScreen('start')) && (await editor.onScreen('end')), 'the flow fitted')

      // The minimap shows, with a shape for every node.
      const minimap = page.locator('.vue-flow__minimap')
      await minimap.waitFor()
      await expect(minimap.locator('.vue-flow__minimap-node').count()).resolves.toBe(4)

      // Box selection (Shift + drag on the empty pane) around two nodes, then Ctrl+C / Ctrl+V.
      const read = await editor.canvasNode('read').boundingBox()
      const check = await editor.canvasNode('check').boundingBox()
      if (!read || !check) throw new Error('no nodes')
      await page.keyboard.down('Shift')
      await page.mouse.move(read.x - 20, read.y + read.height + 40)
      await page.mouse.down()
      await page.mouse.move(check.x + check.width + 20, read.y - 20, { steps: 8 })
      await page.mouse.up()
      await page.keyboard.up('Shift')
      await until(async () => (await page.locator('.vue-flow__node.selected').count()) === 2, 'two nodes box-selected')
      // The box selects nodes, not the page's text.
      await expect(page.evaluate("String(getSelection() ?? '')")).resolves.toBe('')
      await page.keyboard.press('Control+c')
      await page.getByText(fmt(m.editor.copied, { count: 2 })).waitFor()
      await page.keyboard.press('Control+v')
      // New ids, shifted positions, and the edge between the two copied along with them.
      let draft = await draftWhere(flowId, (d) => d.nodes.length === 6, 'the pasted nodes saved')
      expect(ids(draft)).toEqual(['check', 'end', 'get_customer_data', 'logic', 'read', 'start'])
      expect(position(draft, 'get_customer_data')).toEqual({ x: 340, y: 40 })
      expect(position(draft, 'logic')).toEqual({ x: 640, y: 40 })
      expect(draft.edges.filter((edge) => edge.source === 'get_customer_data')).toEqual([expect.objectContaining({ target: 'logic', result: 'SUCCESS' })])
      expect(draft.edges.some((edge) => edge.target === 'get_customer_data')).toBe(false)
      await editor.edge('get_customer_data', 'SUCCESS').waitFor()
      await expect(page.locator('.vue-flow__node.selected').count()).resolves.toBe(2)
      await editor.screenshot('40-pasted')

      // Ctrl+D duplicates the selection (the pasted pair) a step further.
      await page.keyboard.press('Control+d')
      draft = await draftWhere(flowId, (d) => d.nodes.length === 8, 'the duplicates saved')
      expect(position(draft, 'get_customer_data_2')).toEqual({ x: 380, y: 80 })
      expect(draft.edges.filter((edge) => edge.source === 'get_customer_data_2').map((edge) => edge.target)).toEqual(['logic_2'])
      await editor.screenshot('41-duplicated')

      // Undo takes back the duplicate, then the paste; redo brings both back.
      await page.keyboard.press('Control+z')
      await until(async () => (await page.locator('.vue-flow__node').count()) === 6, 'duplicate undone')
      await page.keyboard.press('Control+z')
      await until(async () => (await page.locator('.vue-flow__node').count()) === 4, 'paste undone')
      await page.keyboard.press('Control+Shift+z')
      await page.keyboard.press('Control+Shift+z')
      await until(async () => (await page.locator('.vue-flow__node').count()) === 8, 'both redone')
      await editor.edge('get_customer_data_2', 'SUCCESS').waitFor()

      // Ctrl+click two nodes (the originals peek out at their top left), Delete removes both and their edges.
      await editor.canvasNode('read').click({ position: { x: 12, y: 12 } })
      await editor.canvasNode('check').click({ position: { x: 12, y: 12 }, modifiers: ['Control'] })
      await until(async () => (await page.locator('.vue-flow__node.selected').count()) === 2, 'two nodes Ctrl-selected')
      await page.keyboard.press('Delete')
      draft = await draftWhere(flowId, (d) => d.nodes.length === 6, 'the deletion saved')
      expect(ids(draft)).not.toContain('read')
      expect(ids(draft)).not.toContain('check')
      expect(draft.edges.some((edge) => ['read', 'check'].includes(edge.source) || ['read', 'check'].includes(edge.target))).toBe(false)
      await page.keyboard.press('Control+z')
      await editor.canvasNode('read').waitFor()
      await editor.canvasNode('check').waitFor()
      await editor.edge('read', 'SUCCESS').waitFor()
      await editor.edge('check', 'FALSE').waitFor()

      // Snap to grid, on: a node dragged by an odd distance lands on the 20 px grid.
      const snap = page.getByRole('button', { name: m.editor.snapToGrid })
      await expect(snap.getAttribute('aria-pressed')).resolves.toBe('true')
      const dragBy = async (id: string, dx: number, dy: number) => {
        const box = await editor.canvasNode(id).boundingBox()
        if (!box) throw new Error(`no node ${id}`)
        await page.mouse.move(box.x + box.width / 2, box.y + 10)
        await page.mouse.down()
        await page.mouse.move(box.x + box.width / 2 + 3, box.y + 13)
        await page.mouse.move(box.x + box.width / 2 + dx, box.y + 10 + dy, { steps: 6 })
        await page.mouse.up()
      }
      const before = position(await storedDraft(flowId), 'end')
      await dragBy('end', 37, 53)
      draft = await draftWhere(flowId, (d) => position(d, 'end')?.y !== before?.y, 'the snapped move saved')
      const snapped = position(draft, 'end')
      expect(snapped && snapped.x % 20 === 0 && snapped.y % 20 === 0).toBe(true)
      // Off: it lands where it is dropped.
      await snap.click()
      await expect(snap.getAttribute('aria-pressed')).resolves.toBe('false')
      await dragBy('end', 37, 53)
      draft = await draftWhere(flowId, (d) => position(d, 'end')?.y !== snapped?.y, 'the free move saved')
      const free = position(draft, 'end')
      expect(free && (free.x % 20 !== 0 || free.y % 20 !== 0)).toBe(true)
      // Undo puts it back on the grid, redo off it again.
      await page.keyboard.press('Control+z')
      await draftWhere(flowId, (d) => position(d, 'end')?.y === snapped?.y && position(d, 'end')?.x === snapped?.x, 'the move undone')
      await page.keyboard.press('Control+Shift+z')
      await draftWhere(flowId, (d) => position(d, 'end')?.y === free?.y && position(d, 'end')?.x === free?.x, 'the move redone')
      await snap.click()

      // Zoom in and out, and Fit view brings every node back into view.
      const fitted = await zoom(page)
      await page.getByRole('button', { name: m.editor.zoomIn }).click()
      await until(async () => (await zoom(page)) > fitted * 1.1, 'zoomed in')
      for (let i = 0; i < 6 && (await editor.onScreen('end')); i++) {
        const was = await zoom(page)
        await page.getByRole('button', { name: m.editor.zoomIn }).click()
        await until(async () => (await zoom(page)) > was * 1.1, 'zoomed in further')
      }
      await until(async () => !(await editor.onScreen('end')), 'zoomed past the flow')
      await page.getByRole('button', { name: m.editor.zoomOut }).click()
      const zoomedOut = await zoom(page)
      await page.getByRole('button', { name: m.editor.fitView }).click()
      await until(async () => (await editor.onScreen('start')) && (await editor.onScreen('end')) && (await editor.onScreen('logic_2')), 'fit view shows every node')
      expect(await zoom(page)).toBeLessThan(zoomedOut)
      await editor.screenshot('42-fitted')
    })
  })

  it('opens an older version read-only — nothing editable, a clear banner — copies from it, and leaves it', async () => {
    const v1 = referenceFlow()
    const { id: flowId } = await system.publishFlow(v1, { name: 'Versioned' })
    const v2: FlowDefinition = { ...v1, nodes: v1.nodes.map((node) => (node.id === 'check' ? { ...node, label: 'Asks for a refund?' } : node)) }
    expect((await system.request('POST', `/flows/${flowId}/versions`, { definition: v2, name: 'v2' })).status).toBe(201)

    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.openFlow('Versioned')
      await page.getByRole('button', { name: m.flows.closeList }).click()
      await editor.canvasNode('check').getByText('Asks for a refund?').waitFor()
      await editor.tab(m.editor.tabs.versions).click()
      await page.getByRole('button', { name: fmt(m.versions.open, { version: 1 }) }).click()

      // A banner says what is shown, and that it can't be changed.
      const banner = page.getByText(fmt(m.editor.readOnlyVersion, { version: 1 }))
      await banner.waitFor()
      await until(async () => (await editor.canvasNode('check').getByText('Asks for a refund?').count()) === 0, 'v1 on the canvas')
      // Palette, editing commands and Publish are all disabled.
      for (const type of ['start', 'logic', 'end'] as const) await expect(editor.paletteItem(type).isDisabled()).resolves.toBe(true)
      for (const name of [m.editor.undo, m.editor.redo, m.editor.paste, m.editor.duplicate, m.editor.delete, m.editor.import]) {
        await expect(page.getByRole('button', { name, exact: true }).isDisabled(), name).resolves.toBe(true)
      }
      await expect(editor.publishButton().isDisabled()).resolves.toBe(true)
      // Publish says why, on hover and to a screen reader.
      await page.getByTitle(m.editor.publishReadOnly, { exact: true }).waitFor()
      const describedBy = (await editor.publishButton().getAttribute('aria-describedby')) ?? ''
      await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe(m.editor.publishReadOnly)
      // The node panel shows v1's settings, and none of them can be changed.
      const panel = await editor.openPanel('check')
      await expect(panel.getByLabel(m.panel.label).isEditable()).resolves.toBe(false)
      await expect(panel.getByRole('combobox', { name: m.config.expression }).isEditable()).resolves.toBe(false)
      await expect(panel.getByLabel(fmt(m.panel.nextNode, { result: editor.result('SUCCESS') })).isDisabled()).resolves.toBe(true)
      await expect(panel.getByRole('button', { name: m.panel.deleteNode }).count()).resolves.toBe(0)
      // Nodes can't be dragged (measured against another node: the view itself may pan), and Delete removes nothing.
      const gap = async () => {
        const [end, start] = [await editor.canvasNode('end').boundingBox(), await editor.canvasNode('start').boundingBox()]
        return end && start ? { x: Math.round(end.x - start.x), y: Math.round(end.y - start.y) } : null
      }
      const before = await gap()
      await editor.moveNode('end', 0.5, 0.8)
      expect(await gap()).toEqual(before)
      await editor.canvasNode('assign').click()
      await page.keyboard.press('Delete')
      await expect(editor.canvasNode('assign').count()).resolves.toBe(1)
      await editor.screenshot('43-version-read-only')

      // What is copied from v1 is v1's node (unlabelled), pasted into the draft.
      await editor.canvasNode('check').click()
      await page.keyboard.press('Control+c')
      await page.getByText(fmt(m.editor.copied, { count: 1 })).waitFor()

      // Leaving: back to the draft, which is v2 and editable again (with nothing to publish until it changes).
      await page.getByRole('button', { name: m.editor.backToDraft }).click()
      await expect(banner.count()).resolves.toBe(0)
      await editor.canvasNode('check').getByText('Asks for a refund?').waitFor()
      await expect(editor.paletteItem('logic').isEnabled()).resolves.toBe(true)
      await page.getByTitle(m.editor.nothingToPublish, { exact: true }).waitFor()
      await page.keyboard.press('Control+v')
      await editor.canvasNode('logic').waitFor()
      const draft = await draftWhere(flowId, (d) => d.nodes.some((node) => node.id === 'logic'), 'the paste saved')
      expect(draft.nodes.find((node) => node.id === 'logic')?.label).toBeUndefined()
      expect(draft.nodes.find((node) => node.id === 'check')?.label).toBe('Asks for a refund?')
    })
  })

  it('shows an earlier run of the flow’s history on the canvas: its path and each node’s result', async () => {
    const { id: flowId } = await system.publishFlow(referenceFlow(), { name: 'Run history' })
    // Two real runs, before the editor opens: the first asks for a refund, the second doesn't.
    const refund = await system.waitForRun(await system.triggerRun(flowId, { message: { content: 'I want a refund.' } }))
    const other = await system.waitForRun(await system.triggerRun(flowId, { message: { content: 'Just saying hello.' } }))
    expect([refund.status, other.status]).toEqual(['succeeded', 'succeeded'])

    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.openFlow('Run history')
      await editor.tab(m.editor.tabs.runs).click()
      const earlier = page.getByRole('button', { name: fmt(m.runs.show, { id: refund.id.slice(-8) }) })
      await earlier.click()
      await page.getByText(fmt(m.runs.showing, { id: refund.id.slice(-8), status: m.runs.status.succeeded, version: 1 })).first().waitFor()
      await expect(earlier.getAttribute('aria-pressed')).resolves.toBe('true')
      // Its path: Logic said SUCCESS, so Assign all agents was skipped.
      await until(async () => (await editor.nodeClasses('check')).includes('run-success'), 'the earlier run drawn')
      await expect(editor.nodeClasses('assign')).resolves.toContain('run-off-path')
      await expect(editor.canvasNode('check').locator('.run-result').textContent()).resolves.toBe(editor.result('SUCCESS'))
      await expect(editor.canvasNode('end').locator('.run-order').textContent()).resolves.toBe('5')
      await expect(page.locator('.vue-flow__edge.run-on-path').count()).resolves.toBe(4)
      await editor.edge('check', 'FALSE').and(page.locator('.run-off-path')).waitFor()
      await editor.screenshot('44-earlier-run')

      // The other run took the FALSE branch through Assign all agents.
      await page.getByRole('button', { name: fmt(m.runs.show, { id: other.id.slice(-8) }) }).click()
      await until(async () => (await editor.nodeClasses('check')).includes('run-false'), 'the other run drawn')
      await expect(editor.nodeClasses('assign')).resolves.toContain('run-success')
      await expect(editor.canvasNode('check').locator('.run-result').textContent()).resolves.toBe(editor.result('FALSE'))
      await expect(page.locator('.vue-flow__edge.run-on-path').count()).resolves.toBe(5)
    })
  })

  it('shows a test run from an earlier visit on the draft it tested, not on the draft as it is now', async () => {
    const tested = smallFlow()
    tested.nodes = tested.nodes.map((node) => (node.id === 'check' ? { ...node, label: 'Is it a refund?' } : node))
    const flowId = await draftFlow('Tested earlier', tested)
    const input = { customer: { name: 'Jane', email: 'jane@customer.test' }, message: { content: 'I want a refund.' } }
    const started = await system.request<{ id: string }>('POST', `/flows/${flowId}/runs`, { input, dryRun: true, definition: tested })
    expect(started.status).toBe(202)
    expect((await system.waitForRun(started.body.id)).status).toBe('succeeded')
    // Since then the draft was edited: the node has another name, and a node was added.
    const now = smallFlow()
    now.nodes = [...now.nodes.map((node) => (node.id === 'check' ? { ...node, label: 'Renamed since' } : node)), { id: 'later', type: 'end', position: { x: 900, y: 300 }, config: {} }]
    expect((await system.request('PUT', `/flows/${flowId}/draft`, { definition: now })).status).toBe(200)

    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.openFlow('Tested earlier')
      await editor.tab(m.editor.tabs.runs).click()
      await page.getByRole('button', { name: fmt(m.runs.show, { id: started.body.id.slice(-8) }) }).click()
      await until(async () => (await page.locator('.step-node').allTextContents()).includes('Is it a refund?'), "the run's steps named from the tested draft")
      await expect(page.locator('.step-node').allTextContents()).resolves.not.toContain('Renamed since')
      // The canvas shows what ran: the node added since is not there.
      await expect(editor.canvasNode('later').count()).resolves.toBe(0)
    })
  })

  it('brings the node of an issue into view, selects it and opens it', async () => {
    const definition = smallFlow()
    // Far to the right, past what the opening view shows, with an empty expression.
    definition.nodes = [...definition.nodes, { id: 'far', type: 'logic', position: { x: 6000, y: 900 }, config: { expression: '' } }]
    await draftFlow('With issues', definition)
    await withEditor('en', async (editor) => {
      const { m, page } = editor
      await editor.openFlow('With issues')
      await expect(editor.onScreen('far')).resolves.toBe(false)
      const issues = page.getByRole('tabpanel')
      const entry = issues.getByRole('button', { name: new RegExp(`^${literally(fmt(m.issues.focus, { node: `${editor.kind('logic')} (far)` }))}`) }).first()
      await entry.click()
      await until(async () => editor.onScreen('far'), 'the node brought into view')
      await until(async () => (await editor.nodeClasses('far')).includes('selected'), 'the node selected')
      await page.getByRole('tabpanel').getByText('far', { exact: true }).waitFor()
      await expect(editor.tab(m.editor.tabs.node).getAttribute('aria-selected')).resolves.toBe('true')
      await page.getByRole('combobox', { name: m.config.expression }).waitFor()
      await editor.screenshot('45-issue-focused')
    })
  })

  it('switches the language at once, and remembers it after a reload', async () => {
    await draftFlow('Languages', smallFlow())
    await withEditor('en', async (editor) => {
      const { page } = editor
      const [en, zh] = [MESSAGES.en, MESSAGES['zh-CN']]
      await editor.openFlow('Languages')
      await page.getByRole('combobox', { name: en.app.language }).selectOption('zh-CN')
      // At once, everywhere: navigation, palette, toolbar, side panel, the nodes on the canvas.
      await page.getByRole('navigation').getByRole('link', { name: zh.nav.inbox }).waitFor()
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN')
      const zhEditor = new EditorPage(page, 'zh-CN', system.apiUrl)
      await zhEditor.paletteItem('logic').waitFor()
      await page.getByRole('button', { name: zh.editor.publish, exact: true }).waitFor()
      await page.getByRole('tab', { name: zh.editor.tabs.versions }).waitFor()
      await expect.poll(() => editor.canvasNode('start').getAttribute('aria-label')).toBe(`${zhEditor.kind('start')}: start`)
      await editor.canvasNode('check').getByText(zhEditor.result('FALSE'), { exact: true }).first().waitFor()
      await expect(page.getByRole('navigation').getByRole('link', { name: en.nav.inbox }).count()).resolves.toBe(0)
      await zhEditor.screenshot('46-switched')

      await page.reload()
      await zhEditor.paletteItem('logic').waitFor()
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN')

      // And back.
      await page.getByRole('combobox', { name: zh.app.language }).selectOption('en')
      await page.getByRole('navigation').getByRole('link', { name: en.nav.inbox }).waitFor()
      await editor.paletteItem('logic').waitFor()
      await page.reload()
      await editor.paletteItem('logic').waitFor()
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en')
    })
  })

  it('gives every control of every main screen an accessible name', async () => {
    // Something in every screen: a conversation, runs, an API key, mail in the dev mailbox.
    const { id: flowId } = await system.publishFlow(referenceFlow(), { name: 'Accessible', trigger: 'email.received' })
    const runId = await system.triggerRun(flowId)
    await system.waitForRun(runId)
    expect((await system.request('POST', '/api-keys', { name: 'CI' })).status).toBe(201)

    await withEditor('en', async (editor) => {
      const { m, page } = editor
      const offenders: string[] = []
      const sweep = async (screen: string) => {
        const { checked, unnamed } = await unnamedControls(page)
        // The tree was read (a screen has its navigation's links at least).
        expect(checked, screen).toBeGreaterThan(10)
        for (const control of unnamed) offenders.push(`${screen}: ${control}`)
      }
      const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click()

      await page.getByRole('list', { name: m.flows.listLabel }).waitFor()
      // The sweep itself sees a button without a name.
      await page.evaluate("document.body.append(Object.assign(document.createElement('button'), { id: 'unnamed-probe' }))")
      expect((await unnamedControls(page)).unnamed).toEqual([expect.stringContaining('unnamed-probe')])
      await page.evaluate("document.getElementById('unnamed-probe').remove()")
      await sweep('flows')
      await editor.openFlow('Accessible')
      await editor.openPanel('customer')
      await page.getByRole('combobox', { name: m.config.field }).first().waitFor()
      await sweep('editor with a node panel')
      for (const tab of [m.editor.tabs.versions, m.editor.tabs.runs]) {
        await editor.tab(tab).click()
        const content = tab === m.editor.tabs.runs ? page.getByRole('button', { name: fmt(m.runs.show, { id: runId.slice(-8) }) }) : page.getByRole('button', { name: fmt(m.versions.open, { version: 1 }) })
        await content.waitFor()
        await sweep(`editor, ${tab} tab`)
      }

      await nav(m.nav.inbox)
      await page.getByRole('radiogroup', { name: m.inbox.filters }).getByText(m.inbox.filter.all).click()
      await page.getByRole('link', { name: /Help/ }).first().click()
      await page.getByLabel(m.inbox.reply, { exact: true }).waitFor()
      await sweep('inbox with a conversation')

      await nav(m.nav.runs)
      await page.getByRole('table', { name: m.runs.title }).getByRole('row').nth(1).waitFor()
      await sweep('runs')

      await nav(m.nav.agents)
      await page.getByRole('row', { name: /Ann Agent/ }).waitFor()
      await sweep('agents')

      await nav(m.nav.apiKeys)
      await page.getByRole('row', { name: /CI/ }).waitFor()
      await sweep('API keys')

      await page.getByRole('link', { name: `${m.nav.offline}: ${m.nav.offlineEmail}` }).click()
      await page.getByRole('heading', { name: m.offline.title }).waitFor()
      await sweep('settings (offline e-mail)')

      await nav(m.nav.devMailbox)
      await page.getByRole('heading', { name: m.dev.simulate }).waitFor()
      await page.getByRole('button', { name: new RegExp(literally(m.dev.kindAgent)) }).first().click()
      await page.getByRole('article').first().waitFor()
      await sweep('dev mailbox with a mail open')

      expect(offenders, `controls without an accessible name:\n${offenders.join('\n')}`).toEqual([])
    })
  })
})

/** Roles of the controls a user operates: buttons, links, inputs, selects, text areas (and their ARIA kin). */
const CONTROL_ROLES = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'combobox',
  'listbox',
  'checkbox',
  'radio',
  'switch',
  'slider',
  'spinbutton',
  'tab',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'PopUpButton',
])

/** Every control in the page's accessibility tree (as Chromium computes it) whose name is empty, described by its markup. */
async function unnamedControls(page: Page): Promise<{ checked: number; unnamed: string[] }> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: { ignored: boolean; role?: { value?: unknown }; name?: { value?: unknown }; backendDOMNodeId?: number }[]
    }
    const found: string[] = []
    let checked = 0
    for (const node of nodes) {
      const role = String(node.role?.value ?? '')
      if (node.ignored || !CONTROL_ROLES.has(role)) continue
      checked += 1
      if (String(node.name?.value ?? '').trim() !== '') continue
      let markup = '(no DOM node)'
      if (node.backendDOMNodeId !== undefined) {
        const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId: node.backendDOMNodeId })) as { object: { objectId?: string } }
        const described = (await cdp.send('Runtime.callFunctionOn', {
          objectId: object.objectId,
          functionDeclaration: 'function () { return this.outerHTML.replace(/\\s+/g, " ").slice(0, 200) }',
          returnByValue: true,
        })) as { result: { value?: unknown } }
        markup = String(described.result.value)
      }
      found.push(`${role} ${markup}`)
    }
    return { checked, unnamed: found }
  } finally {
    await cdp.detach()
  }
}
