import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { mountInApp } from '../../test-utils.ts'
import EditorToolbar from './EditorToolbar.vue'

const props = {
  flowName: 'Refund requests',
  triggerLabel: 'Customer e-mail received',
  enabled: true,
  activeVersion: 1,
  draftVsActive: 'changed' as const,
  saveState: 'saved' as const,
  canUndo: false,
  canRedo: false,
  readOnly: false,
  snapToGrid: true,
  issueCount: 0,
  canPublish: false,
  canTest: true,
  testRunning: false,
}

/** Why Publish is disabled, as hover and a screen reader tell it. */
async function publishReason(locale: 'en' | 'zh-CN', overrides: Partial<typeof props>): Promise<{ title: string | undefined; described: string }> {
  const toolbar = mountInApp(EditorToolbar, { locale, props: { ...props, ...overrides } })
  await nextTick()
  const publish = toolbar.findAll('button').find((button) => button.text() === (locale === 'en' ? 'Publish' : '发布'))
  const described = toolbar.find(`[id="${publish?.attributes('aria-describedby')}"]`)
  const reason = { title: publish?.element.parentElement?.getAttribute('title') ?? undefined, described: described.exists() ? described.text() : '' }
  toolbar.unmount()
  return reason
}

describe('the toolbar’s disabled Publish', () => {
  it('counts the draft’s issues in good English: one issue, or several', async () => {
    expect(await publishReason('en', { issueCount: 1 })).toEqual({ title: 'Fix the issue before publishing', described: 'Fix the issue before publishing' })
    expect((await publishReason('en', { issueCount: 3 })).title).toBe('Fix the 3 issues before publishing')
    expect((await publishReason('zh-CN', { issueCount: 1 })).title).toBe('发布前请先解决 1 个问题')
  })

  it('says to go back to the draft while a version or a run is shown read-only', async () => {
    expect(await publishReason('en', { readOnly: true, issueCount: 2 })).toEqual({ title: 'Go back to the draft to publish it', described: 'Go back to the draft to publish it' })
    expect((await publishReason('zh-CN', { readOnly: true })).title).toBe('回到草稿后才能发布')
  })
})
