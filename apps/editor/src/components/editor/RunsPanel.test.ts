import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { Run } from '../../api/types.ts'
import { mountInApp } from '../../test-utils.ts'
import RunsPanel from './RunsPanel.vue'

const run: Run = {
  id: 'run-0000000000000001',
  flowId: 'flow-1',
  version: 1,
  status: 'succeeded',
  trigger: 'email.received',
  dryRun: false,
  createdAt: '2026-01-01T10:00:00.000Z',
  error: null,
  steps: [{ nodeId: 'check', type: 'logic', result: 'FALSE', outputs: {}, error: null, startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:00.008Z' }],
  effects: [{ type: 'deliver_message', nodeId: 'convert', channel: 'email', recipients: [{ agentId: 'a1', name: 'Ann', address: 'ann@agents.test' }], message: { subject: 'Hi', text: 'Hello' } }],
}

function mountRun(locale: 'en' | 'zh-CN') {
  return mountInApp(RunsPanel, {
    locale,
    props: { runs: [run], shownRun: run, loading: false, testRunning: false, canTest: true, testBlocked: null, agentNames: new Map() },
  })
}

describe('a run in the side panel', () => {
  it('writes its labels the Chinese way: full-width colons, no space after them', async () => {
    const zh = mountRun('zh-CN')
    await nextTick()
    expect(zh.find('.effects li').text()).toBe('已发邮件给：Ann <ann@agents.test>')
    const step = zh.find('.step-head').text()
    expect(step).toContain('结果：否')
    expect(step).toContain('耗时：')
    zh.unmount()
  })

  it('and the English way', async () => {
    const en = mountRun('en')
    await nextTick()
    expect(en.find('.effects li').text()).toBe('E-mailed: Ann <ann@agents.test>')
    expect(en.find('.step-head').text()).toContain('Result: False')
    en.unmount()
  })
})
