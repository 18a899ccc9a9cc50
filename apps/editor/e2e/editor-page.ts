import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { NODE_CATALOG, RESULT_LABELS, type Locale, type NodeResult, type NodeType } from '@replyflow/flow'
import { en, type MessageSchema } from '../src/i18n/en.ts'
import { zhCN } from '../src/i18n/zh-CN.ts'
import { launchChromium } from './chromium.ts'

/** Where screenshots of key states go (the repository's test output folder). */
export const SCREENSHOTS = join(import.meta.dirname, '../../../test-results/editor')

/** The UI's own messages, so the tests find controls by the names users see, in either language. */
export const MESSAGES: Record<Locale, MessageSchema> = { en, 'zh-CN': zhCN }

/**
 * Plays `play` in a fresh headless Chromium in `locale` (at `size`) on the
 * editor of `apiUrl`, as a user; logging in is the play's. The test fails on
 * any error the page throws, and on anything the editor's Content-Security-Policy
 * blocks: the editor must not need what its own policy forbids.
 */
export async function inChromium(
  apiUrl: string,
  locale: Locale,
  play: (editor: EditorPage, context: BrowserContext) => Promise<void>,
  size: { width: number; height: number } = { width: 1440, height: 900 },
): Promise<void> {
  const browser = await launchChromium({ locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US', ...size })
  const problems: string[] = []
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text())
    })
    await play(new EditorPage(page, locale, apiUrl), browser.context)
  } finally {
    await browser.close()
  }
  expect(problems).toEqual([])
}

/** Fills `{name}` placeholders the way vue-i18n does for these plain messages. */
export function fmt(message: string, params: Record<string, string | number> = {}): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

/** `text` as a regular expression that matches it literally. */
export function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Polls a condition with a deadline (no sleeps as synchronisation). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The editor as a user drives it: by role and accessible name, in one language. */
export class EditorPage {
  readonly m: MessageSchema

  constructor(
    readonly page: Page,
    readonly locale: Locale,
    readonly baseUrl: string,
  ) {
    this.m = MESSAGES[locale]
    mkdirSync(SCREENSHOTS, { recursive: true })
  }

  kind(type: NodeType): string {
    return NODE_CATALOG[type].label[this.locale]
  }

  result(result: NodeResult): string {
    return RESULT_LABELS[result][this.locale]
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(SCREENSHOTS, `${this.locale}-${name}.png`) })
  }

  /** Logs in as an admin and waits for their first screen, the flows. */
  async login(email: string, password: string): Promise<void> {
    await this.signIn(email, password)
    await this.page.getByRole('button', { name: this.m.flows.addFlow }).waitFor()
  }

  /** Opens the editor and submits the login form, whoever logs in (an agent lands elsewhere than an admin). */
  async signIn(email: string, password: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`)
    await this.page.getByLabel(this.m.login.email).fill(email)
    await this.page.getByLabel(this.m.login.password).fill(password)
    await this.page.getByRole('button', { name: this.m.login.submit }).click()
  }

  /** Double-clicks Add flow, fills the form and waits for the new flow, in the list and open on the canvas. */
  async addFlow(name: string, trigger: string): Promise<void> {
    await this.page.getByRole('button', { name: this.m.flows.addFlow }).dblclick()
    const dialog = this.page.getByRole('dialog', { name: this.m.flows.form.title })
    await dialog.getByLabel(this.m.flows.form.name).fill(name)
    await dialog.getByLabel(this.m.flows.form.trigger).selectOption(trigger)
    await dialog.getByRole('button', { name: this.m.flows.form.create }).click()
    await this.flowInList(name).waitFor()
    await this.page.getByRole('heading', { name, exact: true }).waitFor()
    await this.canvasNode('start').waitFor()
  }

  /** A flow's entry in the list (its name comes first; its actions menu is a button of its own). */
  flowInList(name: string): Locator {
    return this.page.getByRole('list', { name: this.m.flows.listLabel }).getByRole('button', { name: new RegExp(`^${literally(name)}`) })
  }

  /** Chooses an action from a flow's menu in the list. */
  async flowAction(name: string, action: string): Promise<void> {
    await this.page.getByRole('button', { name: fmt(this.m.flows.actions.label, { name }), exact: true }).click()
    await this.page.getByRole('menuitem', { name: action }).click()
  }

  async openFlow(name: string): Promise<void> {
    await this.flowInList(name).dblclick()
    await this.canvasNode('start').waitFor()
  }

  pane(): Locator {
    return this.page.locator('.vue-flow__pane')
  }

  /** A node on the canvas, by its accessible name (`Kind: id`). */
  canvasNode(id: string): Locator {
    return this.page.locator(`.vue-flow__node[data-id="${id}"]`)
  }

  paletteItem(type: NodeType): Locator {
    return this.page.getByRole('button', { name: fmt(this.m.palette.add, { kind: this.kind(type) }), exact: true })
  }

  /** Drags a palette item onto the canvas at a fraction of the pane's size. */
  async dragNode(type: NodeType, fx: number, fy: number): Promise<void> {
    const box = await this.pane().boundingBox()
    if (!box) throw new Error('no canvas')
    await this.paletteItem(type).dragTo(this.pane(), { targetPosition: { x: box.width * fx, y: box.height * fy } })
    await this.canvasNode(type).waitFor()
  }

  /** Drags a canvas node by its header so its centre lands at a fraction of the pane's size. */
  async moveNode(id: string, fx: number, fy: number): Promise<void> {
    const box = await this.pane().boundingBox()
    const node = await this.canvasNode(id).boundingBox()
    if (!box || !node) throw new Error(`no node ${id}`)
    const grab = { x: node.x + node.width / 2, y: node.y + 12 }
    await this.page.mouse.move(grab.x, grab.y)
    await this.page.mouse.down()
    // A first small move starts the drag, so the long one is followed in full.
    await this.page.mouse.move(grab.x + 4, grab.y + 4)
    await this.page.mouse.move(box.x + box.width * fx, box.y + box.height * fy - node.height / 2 + 12, { steps: 10 })
    await this.page.mouse.up()
  }

  /** Connects two nodes by dragging from the source's result handle to the target's input handle. */
  async connectByHandle(source: NodeType, result: NodeResult, target: NodeType): Promise<void> {
    const from = this.page.getByLabel(fmt(this.m.node.output, { result: this.result(result), node: this.kind(source) }), { exact: true })
    const to = this.page.getByLabel(fmt(this.m.node.input, { node: this.kind(target) }), { exact: true })
    const a = await from.boundingBox()
    const b = await to.boundingBox()
    if (!a || !b) throw new Error(`no handles for ${source} ${result} → ${target}`)
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
    await this.page.mouse.down()
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 })
    await this.page.mouse.up()
    await this.edge(source, result).waitFor()
  }

  /** The drawn edge leaving `source` on `result`. */
  edge(source: string, result: NodeResult): Locator {
    return this.page.locator(`.vue-flow__edge[aria-label^="${this.result(result)}: ${source} →"]`)
  }

  /** Opens a node's settings panel by double-clicking it. */
  async openPanel(id: string): Promise<Locator> {
    await this.canvasNode(id).dblclick()
    const panel = this.page.getByRole('tabpanel')
    await panel.getByRole('heading', { name: this.m.panel.connections }).or(panel.getByText(this.m.panel.noConfig)).first().waitFor()
    return panel
  }

  /** Connects a result to a next node through the panel's Connections section. */
  async connectInPanel(source: string, result: NodeResult, target: string): Promise<void> {
    const panel = await this.openPanel(source)
    await panel.getByLabel(fmt(this.m.panel.nextNode, { result: this.result(result) })).selectOption(target)
    await this.edge(source, result).waitFor()
  }

  publishButton(): Locator {
    return this.page.getByRole('button', { name: this.m.editor.publish, exact: true })
  }

  async waitSaved(): Promise<void> {
    await this.page.getByText(this.m.editor.save.saved).waitFor()
  }

  async publish(name: string, version: number): Promise<void> {
    await expect.poll(() => this.publishButton().isEnabled()).toBe(true)
    await this.publishButton().click()
    const dialog = this.page.getByRole('dialog', { name: this.m.publish.title })
    await dialog.getByLabel(this.m.publish.name).fill(name)
    await dialog.getByRole('button', { name: this.m.publish.submit }).click()
    await this.page.getByText(fmt(this.m.publish.done, { version })).waitFor()
  }

  tab(name: string): Locator {
    return this.page.getByRole('tab', { name })
  }

  /** Whether an element lies wholly inside the window, seen without scrolling. */
  async inView(element: Locator): Promise<boolean> {
    const box = await element.boundingBox()
    const size = this.page.viewportSize()
    return box !== null && size !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height
  }

  /** Whether a node is drawn wholly inside the visible canvas (not scrolled away, not clipped under a panel). */
  async onScreen(id: string): Promise<boolean> {
    const node = await this.canvasNode(id).boundingBox()
    const canvas = await this.page.getByRole('region', { name: this.m.editor.canvas }).boundingBox()
    if (!node || !canvas) return false
    return node.x >= canvas.x && node.y >= canvas.y && node.x + node.width <= canvas.x + canvas.width && node.y + node.height <= canvas.y + canvas.height
  }

  /** The class list of a node's card on the canvas (issues, run and diff marks). */
  async nodeClasses(id: string): Promise<string[]> {
    const value = await this.canvasNode(id).locator('.step').getAttribute('class')
    return (value ?? '').split(/\s+/)
  }
}
