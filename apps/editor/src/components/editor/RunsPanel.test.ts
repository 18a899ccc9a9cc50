import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { FlowDefinition } from '@replyflow/flow'
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

function mountRun(locale: 'en' | 'zh-CN', shown: Run = run, definition: FlowDefinition | null = null) {
  return mountInApp(RunsPanel, {
    locale,
    props: { runs: [shown], shownRun: shown, definition, loading: false, testRunning: false, canTest: true, testBlocked: null, agentNames: new Map() },
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

  it('names each step as the admin named its node in the run’s version, with the kind beside it', async () => {
    const step = (nodeId: string, type: Run['steps'][number]['type']) => ({ nodeId, type, result: 'SUCCESS' as const, outputs: {}, error: null, startedAt: run.createdAt, finishedAt: run.createdAt })
    const ran: Run = { ...run, steps: [step('check', 'logic'), step('assign', 'assign_all_agents'), step('gone', 'end')], effects: [] }
    const version: FlowDefinition = {
      schemaVersion: 1,
      channel: 'email',
      nodes: [
        { id: 'check', type: 'logic', label: 'Asks for money back?', position: { x: 0, y: 0 }, config: { expression: 'true' } },
        { id: 'assign', type: 'assign_all_agents', label: '  ', position: { x: 0, y: 0 }, config: {} },
      ],
      edges: [],
    }
    const named = (wrapper: ReturnType<typeof mountRun>) => wrapper.findAll('.step').map((item) => [item.find('.step-node').text(), item.find('.step-id').text()])

    const en = mountRun('en', ran, version)
    await nextTick()
    // A blank label, or a node no longer in the version, falls back to the kind's name.
    expect(named(en)).toEqual([
      ['Asks for money back?', 'Logic operation · check'],
      ['Assign all agents', 'assign'],
      ['End', 'gone'],
    ])
    en.unmount()

    const zh = mountRun('zh-CN', ran, version)
    await nextTick()
    expect(named(zh)[0]).toEqual(['Asks for money back?', '逻辑运算 · check'])
    zh.unmount()
  })
})
