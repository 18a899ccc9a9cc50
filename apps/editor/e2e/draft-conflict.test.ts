import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowDefinition } from '@replyflow/flow'
import { E2E, startSystem, type System } from '../../../e2e/harness.ts'
import { AUTOSAVE_DELAY_MS } from '../src/composables/useDraftAutosave.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage, until } from './editor-page.ts'

// Two tabs on one flow must not silently overwrite each other's draft: the tab
// that saves on a draft changed elsewhere is told so, saves nothing, and can
// load the latest draft.

const twoNodes: FlowDefinition = {
  schemaVersion: 1,
  channel: 'email',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} },
    { id: 'end', type: 'end', position: { x: 300, y: 0 }, config: {} },
  ],
  edges: [{ id: 'e1', source: 'start', target: 'end', result: 'SUCCESS' }],
}

describe('two tabs on one flow, in Chromium', () => {
  let system: System

  beforeAll(async () => {
    system = await startSystem()
  })

  afterAll(async () => {
    await system?.stop()
  })

  const endLabel = async (flowId: string) =>
    (await system.request<{ draft: FlowDefinition }>('GET', `/flows/${flowId}`)).body.draft.nodes.find((node) => node.id === 'end')?.label

  it('refuses the second tab’s save on a draft changed in the first, and lets it load the latest', async () => {
    const flow = await system.request<{ id: string }>('POST', '/flows', { name: 'Two tabs', channel: 'email', trigger: 'manual' })
    expect(flow.status).toBe(201)
    const flowId = flow.body.id
    expect((await system.request('PUT', `/flows/${flowId}/draft`, { definition: twoNodes })).status).toBe(200)

    const browser = await launchChromium({ width: 1440, height: 900 })
    const problems: string[] = []
    try {
      const pageA = browser.context.pages()[0] ?? (await browser.context.newPage())
      const a = new EditorPage(pageA, 'en', system.apiUrl)
      await a.login(E2E.admin.email, E2E.admin.password)
      const pageB = await browser.context.newPage()
      const b = new EditorPage(pageB, 'en', system.apiUrl)
      for (const page of [pageA, pageB]) page.on('pageerror', (error) => problems.push(error.message))
      const url = `${system.apiUrl}/settings/flows/email/${flowId}`
      // Both tabs hold the same draft before either edits.
      for (const editor of [a, b]) {
        await editor.page.goto(url)
        await editor.canvasNode('end').waitFor()
      }
      const { m } = b
      let savesFromB = 0
      pageB.on('request', (request) => {
        if (request.method() === 'PUT' && request.url().endsWith(`/flows/${flowId}/draft`)) savesFromB++
      })

      // Tab A edits; autosave stores it.
      await (await a.openPanel('end')).getByLabel(m.panel.label).fill('Edited in A')
      await until(async () => (await endLabel(flowId)) === 'Edited in A', 'A’s change saved')
      await a.waitSaved()

      // Tab B, not reloaded, edits too: refused, and told so.
      await (await b.openPanel('end')).getByLabel(m.panel.label).fill('Edited in B')
      const notice = pageB.getByRole('alert').filter({ hasText: m.editor.conflict.title })
      await notice.waitFor()
      await notice.getByText(m.editor.conflict.body).waitFor()
      await pageB.getByText(m.editor.save.conflict).first().waitFor()
      await expect(pageB.getByText(m.editor.save.saved).count()).resolves.toBe(0)
      await b.screenshot('draft-conflict')
      // Nothing was overwritten, and further edits in B send nothing either
      // (proving an absence takes a wait: twice the autosave's delay).
      expect(await endLabel(flowId)).toBe('Edited in A')
      expect(savesFromB).toBe(1)
      await (await b.openPanel('end')).getByLabel(m.panel.label).fill('Edited in B again')
      await pageB.waitForTimeout(AUTOSAVE_DELAY_MS * 2)
      expect(savesFromB).toBe(1)
      expect(await endLabel(flowId)).toBe('Edited in A')
      await notice.waitFor()

      // B loads the latest draft: A's change, the notice gone, saving again.
      await notice.getByRole('button', { name: m.editor.conflict.load }).click()
      await notice.waitFor({ state: 'detached' })
      await b.waitSaved()
      await expect((await b.openPanel('end')).getByLabel(m.panel.label).inputValue()).resolves.toBe('Edited in A')
      await (await b.openPanel('end')).getByLabel(m.panel.label).fill('Edited in B after loading')
      await until(async () => (await endLabel(flowId)) === 'Edited in B after loading', 'B’s change saved after loading')
    } finally {
      await browser.close()
    }
    expect(problems).toEqual([])
  })
})
