import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locale } from '@replyflow/flow'
import { E2E, referenceFlow, startSystem, type System } from '../../../e2e/harness.ts'
import { inChromium, fmt, until, type EditorPage } from './editor-page.ts'

// A laptop screen with the flow list open: every action of the editor stays
// in view and usable, the canvas keeps its own room, and a new admin's first
// steps (a new flow, a click on a node, Enter on a flow) do what they expect.

describe('the editor on a laptop screen, in Chromium', () => {
  let system: System

  beforeAll(async () => {
    system = await startSystem()
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    await system.publishFlow(referenceFlow(), { name: 'Refund requests', trigger: 'email.received' })
  })

  afterAll(async () => {
    await system?.stop()
  })

  const withEditor = (size: { width: number; height: number }, locale: Locale, play: (editor: EditorPage) => Promise<void>) => inChromium(system.apiUrl, locale, play, size)

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`keeps Publish in view and clickable at 1280×720 with the flow list open, beside a canvas of its own (${locale})`, async () => {
      await withEditor({ width: 1280, height: 720 }, locale, async (editor) => {
        const { m, page } = editor
        await editor.login(E2E.admin.email, E2E.admin.password)
        await editor.openFlow('Refund requests')
        await expect(page.getByRole('list', { name: m.flows.listLabel }).isVisible()).resolves.toBe(true)

        // Nothing to publish yet (the draft is version 1): in view, and saying so.
        const publish = editor.publishButton()
        await page.getByTitle(m.editor.nothingToPublish, { exact: true }).waitFor()
        await expect(publish.isDisabled()).resolves.toBe(true)
        expect(await editor.inView(publish)).toBe(true)
        expect(await editor.inView(page.getByRole('button', { name: m.editor.testRun }).first())).toBe(true)
        await editor.screenshot('20-laptop-1280')

        // The canvas starts where the palette ends: a node dragged left goes under nothing.
        const palette = await page.getByRole('complementary', { name: m.palette.label }).boundingBox()
        const canvas = await page.getByRole('region', { name: m.editor.canvas }).boundingBox()
        if (!palette || !canvas) throw new Error('no palette or canvas')
        expect(canvas.x).toBeGreaterThanOrEqual(palette.x + palette.width - 1)
        expect(canvas.width).toBeGreaterThan(300)

        // The commands that gave way are one click away, in the More menu.
        await page.getByRole('button', { name: m.editor.more }).click()
        await page.getByRole('menuitem', { name: m.editor.export }).waitFor()
        await editor.screenshot('21-laptop-more-menu')
        await page.keyboard.press('Escape')
        await expect(page.getByRole('menu').count()).resolves.toBe(0)

        // With a change to publish, Publish is clickable; taking the change back leaves version 1 as it was.
        const label = (await editor.openPanel('check')).getByLabel(m.panel.label, { exact: true })
        await label.fill('Asks for money back?')
        await expect.poll(() => publish.isEnabled()).toBe(true)
        await publish.click()
        const dialog = page.getByRole('dialog', { name: m.publish.title })
        await dialog.getByRole('button', { name: m.app.cancel }).click()
        await expect(dialog.isVisible()).resolves.toBe(false)
        await editor.screenshot('22-laptop-publish-clickable')
        await label.fill('')
        await expect.poll(() => publish.isDisabled()).toBe(true)
        await editor.waitSaved()
        const versions = await system.request<{ items: unknown[] }>('GET', `/flows/${(await flowId('Refund requests'))}/versions`)
        expect(versions.body.items).toHaveLength(1)
      })
    })
  }

  async function flowId(name: string): Promise<string> {
    const flows = await system.request<{ items: { id: string; name: string }[] }>('GET', '/flows')
    const id = flows.body.items.find((flow) => flow.name === name)?.id
    if (!id) throw new Error(`no flow ${name}`)
    return id
  }

  it('still reaches every action at 1024×768 with the flow list open', async () => {
    await withEditor({ width: 1024, height: 768 }, 'en', async (editor) => {
      const { m, page } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)
      await editor.openFlow('Refund requests')
      expect(await editor.inView(editor.publishButton())).toBe(true)
      expect(await editor.inView(page.getByRole('button', { name: m.editor.testRun }).first())).toBe(true)
      // Undo and redo moved into the More menu too; the side panel folds away for the canvas.
      await page.getByRole('button', { name: m.editor.more }).click()
      await page.getByRole('menuitem', { name: m.editor.undo }).waitFor()
      await page.keyboard.press('Escape')
      await page.getByRole('button', { name: m.editor.hideSide }).click()
      const canvas = await page.getByRole('region', { name: m.editor.canvas }).boundingBox()
      expect(canvas?.width).toBeGreaterThan(300)
      await editor.screenshot('23-laptop-1024-side-folded')
      await page.getByRole('button', { name: m.editor.showSide }).click()
      await editor.tab(fmt(m.editor.tabs.issues, { count: 0 })).waitFor()
    })
  })

  it('opens a new flow on the canvas, shows a node’s settings on a click, opens a flow with Enter and remembers the closed list', async () => {
    await withEditor({ width: 1440, height: 900 }, 'en', async (editor) => {
      const { m, page } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)

      // An empty list says so right under Add flow.
      await page.getByRole('navigation').getByRole('link', { name: m.nav.smsFlows }).click()
      const empty = page.getByText(m.flows.empty)
      await empty.waitFor()
      const add = await page.getByRole('button', { name: m.flows.addFlow }).boundingBox()
      const note = await empty.boundingBox()
      expect(note && add ? note.y - (add.y + add.height) : Infinity).toBeLessThan(40)
      await page.getByRole('navigation').getByRole('link', { name: m.nav.emailFlows }).click()

      // A new flow opens on the canvas straight away (addFlow waits for its Start node).
      await editor.addFlow('Fresh flow', 'manual')
      expect(page.url()).toContain('/settings/flows/email/')

      // A single click on a node shows its settings; the keyboard stays where it was (Delete still deletes the selection).
      await editor.canvasNode('start').click()
      await page.getByRole('tabpanel').getByRole('heading', { name: editor.kind('start') }).waitFor()
      await expect(page.getByRole('tabpanel').locator(':focus').count()).resolves.toBe(0)

      // Enter on a focused flow opens it.
      await editor.flowInList('Refund requests').focus()
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Refund requests', exact: true }).waitFor()
      await editor.canvasNode('check').waitFor()

      // Closed once, the list stays closed across screens and flows.
      await page.getByRole('button', { name: m.flows.closeList }).click()
      await page.getByRole('navigation').getByRole('link', { name: m.nav.agents }).click()
      await page.getByRole('heading', { name: m.agents.title }).waitFor()
      await page.getByRole('navigation').getByRole('link', { name: m.nav.emailFlows }).click()
      await page.getByRole('button', { name: m.flows.openList }).waitFor()
      await expect(page.getByRole('list', { name: m.flows.listLabel }).count()).resolves.toBe(0)
      await page.getByRole('button', { name: m.flows.openList }).click()
      await until(async () => (await page.getByRole('list', { name: m.flows.listLabel }).count()) === 1, 'list open again')
    })
  })

  it('spreads out an imported flow drawn 240 px apart, and says once why a wrong file is refused', async () => {
    await withEditor({ width: 1440, height: 900 }, 'en', async (editor) => {
      const { m, page } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)
      await editor.addFlow('Imported', 'manual')
      const file = page.getByLabel(m.editor.importFile)

      // Not a flow: the reason shows once, not once per schema complaint.
      await file.setInputFiles({ name: 'wrong.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ foo: 1 })) })
      const refusal = page.getByRole('alert').filter({ hasText: fmt(m.editor.importFailed, { reason: '' }).trim() })
      await refusal.waitFor()
      const text = (await refusal.textContent()) ?? ''
      expect(text.split(fmt(m.issues.FLOW_SCHEMA, { path: '/' })).length - 1).toBe(1)

      // DESIGN §4's example: its cards would touch, so they are spread apart, in the same arrangement.
      await file.setInputFiles({ name: 'design.flow.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(referenceFlow())) })
      await page.getByText(m.editor.importedLaidOut).waitFor()
      // The whole imported flow comes into view.
      await until(async () => (await editor.onScreen('start')) && (await editor.onScreen('end')), 'the imported flow fitted')
      const box = async (id: string) => {
        const found = await editor.canvasNode(id).boundingBox()
        if (!found) throw new Error(`no node ${id}`)
        return found
      }
      const [check, assign, customer] = [await box('check'), await box('assign'), await box('customer')]
      expect(assign.y).toBeGreaterThan(check.y + check.height)
      expect(check.x).toBeGreaterThan(customer.x + customer.width)
      // Room for an edge and its result label between neighbours (in screen pixels, at the fitted zoom).
      expect((check.x - (customer.x + customer.width)) / (customer.width / 200)).toBeGreaterThanOrEqual(80)
      await editor.screenshot('24-imported-spread')
    })
  })
})
