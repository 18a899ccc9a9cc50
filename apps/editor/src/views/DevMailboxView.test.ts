import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { en } from '../i18n/en.ts'
import { mountInApp } from '../test-utils.ts'
import DevMailboxView from './DevMailboxView.vue'

/** The server's answer to every call (fetch is the browser's, not ours: the API is what is stood in for). */
function serverAnswers(status: number, body: unknown): void {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }))
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('dev mailbox page', () => {
  // One test, in order: the answer is remembered for the page load once the server gave one.
  it('says "off" only when the server runs none (404), never for a refusal (403), and asks again after one', async () => {
    serverAnswers(403, { error: { code: 'API_FORBIDDEN', message: 'only an admin may do this' } })
    let wrapper = mountInApp(DevMailboxView)
    await flushPromises()
    expect(wrapper.text()).not.toContain(en.dev.unavailable)
    expect(wrapper.find('[role="alert"]').text()).toContain(en.errors.codes.API_FORBIDDEN)
    wrapper.unmount()

    serverAnswers(404, { error: { code: 'API_NOT_FOUND', message: 'not found' } })
    wrapper = mountInApp(DevMailboxView)
    await flushPromises()
    expect(wrapper.text()).toContain(en.dev.unavailable)
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
