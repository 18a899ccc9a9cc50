import { describe, expect, it } from 'vitest'
import { FLOW_ISSUES } from '@replyflow/flow'
import { loadFixture } from '@replyflow/flow/fixtures'
import { exportFlowFile, parseFlowFile } from './flow-file.ts'

describe('flow files', () => {
  it('reads back what it exported', () => {
    const reference = loadFixture('reference')
    expect(parseFlowFile(exportFlowFile(reference))).toEqual({ ok: true, definition: reference })
  })

  it('imports a well-shaped flow that still breaks rules, for the issues list to show', () => {
    const looping = loadFixture('invalidCycle')
    expect(parseFlowFile(JSON.stringify(looping))).toEqual({ ok: true, definition: looping })
  })

  it('refuses text that is not JSON, saying why', () => {
    const parsed = parseFlowFile('{ "schemaVersion": 1,')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues).toEqual([expect.objectContaining({ code: FLOW_ISSUES.schema, params: expect.objectContaining({ path: '/' }) })])
  })

  it('refuses JSON without a definition’s shape, naming where it is wrong', () => {
    const parsed = parseFlowFile(JSON.stringify({ ...loadFixture('reference'), channel: 'fax' }))
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues).toEqual([expect.objectContaining({ code: FLOW_ISSUES.schema, params: { path: '/channel' } })])
  })
})
