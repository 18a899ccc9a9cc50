import { describe, expect, it } from 'vitest'
import { effectLines, readableOutputs } from './run-effects.ts'

const agentNames = new Map([
  ['01AGENTALICE', 'Alice Agent'],
  ['01AGENTBOB', 'Bob Agent'],
])

describe('run effects', () => {
  it('names who a run assigns and mails, by agent name rather than id', () => {
    const lines = effectLines(
      [
        { type: 'assign_agents', nodeId: 'assign', agentIds: ['01AGENTALICE', '01AGENTBOB'] },
        {
          type: 'deliver_message',
          nodeId: 'convert',
          channel: 'email',
          recipients: [{ agentId: '01AGENTALICE', name: 'Alice Agent', address: 'alice@example.com' }],
          message: { subject: 'Refund', text: 'Hello' },
        },
      ],
      agentNames,
    )
    expect(lines).toEqual([
      { kind: 'assign', nodeId: 'assign', people: ['Alice Agent', 'Bob Agent'] },
      { kind: 'deliver', nodeId: 'convert', people: ['Alice Agent <alice@example.com>'] },
    ])
  })

  it('keeps the id of an agent removed since, and shows assignees in step outputs by name', () => {
    expect(effectLines([{ type: 'assign_agents', nodeId: 'a', agentIds: ['01GONE'] }], agentNames)[0]?.people).toEqual(['01GONE'])
    expect(readableOutputs({ assignees: ['01AGENTBOB'] }, agentNames)).toEqual({ assignees: ['Bob Agent'] })
    expect(readableOutputs({ value: true }, agentNames)).toEqual({ value: true })
  })
})
