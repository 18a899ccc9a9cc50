import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E, startSystem, type System } from '../../../e2e/harness.ts'
import { postInboundMail } from '../../../e2e/webhooks.ts'
import { launchChromium } from './chromium.ts'
import { EditorPage, until } from './editor-page.ts'

// A customer's mail shows in the inbox as they sent it, inline images
// included, while nothing outside Replyflow learns that it was read.

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')
const TRACKER = 'https://example.com/pixel.png'

describe('images in a customer’s mail, in Chromium', () => {
  let system: System

  beforeAll(async () => {
    system = await startSystem()
  })

  afterAll(async () => {
    await system?.stop()
  })

  it('shows an inline image the mail carries, and never loads a remote one', async () => {
    const posted = await postInboundMail(system, {
      from: 'Jane Customer <jane@customer.test>',
      to: E2E.teamAddress,
      subject: 'Photo of the damage',
      text: 'See the photo.',
      html: `<p>See the photo.</p><img src="cid:damage@customer.test" alt="The damage"><img src="${TRACKER}" alt="Tracker">`,
      attachments: [{ filename: 'damage.png', contentType: 'image/png', content: PNG, contentId: 'damage@customer.test' }],
    })
    expect(posted.status).toBe(200)

    const browser = await launchChromium()
    const problems: string[] = []
    try {
      // The remote image would load if the frame let it: any request for it is counted.
      const trackerHits: string[] = []
      await browser.context.route(TRACKER, (route) => {
        trackerHits.push(route.request().url())
        return route.fulfill({ status: 200, contentType: 'image/png', body: PNG })
      })
      const page = browser.context.pages()[0] ?? (await browser.context.newPage())
      page.on('pageerror', (error) => problems.push(error.message))
      const editor = new EditorPage(page, 'en', system.apiUrl)
      const { m } = editor
      await editor.login(E2E.admin.email, E2E.admin.password)
      await page.getByRole('navigation').getByRole('link', { name: m.nav.inbox }).click()
      await page.getByRole('link', { name: /Photo of the damage/ }).click()

      const frame = page.getByTitle(m.inbox.htmlFrame).contentFrame()
      const image = (alt: string) =>
        frame.getByAltText(alt).evaluate((img) => ({ complete: Boolean(Reflect.get(img, 'complete')), width: Number(Reflect.get(img, 'naturalWidth')) }))
      await until(async () => (await image('The damage')).complete && (await image('Tracker')).complete, 'both images settled')
      expect(await image('The damage')).toEqual({ complete: true, width: 1 })
      expect(await image('Tracker')).toEqual({ complete: true, width: 0 })
      expect(trackerHits).toEqual([])
      await editor.screenshot('50-inbox-inline-image')
    } finally {
      await browser.close()
    }
    expect(problems).toEqual([])
  })
})
