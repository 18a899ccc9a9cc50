import { describe, expect, it } from 'vitest'
import { FLOW_NAME_MAX, flowNameProblem, isExclusiveTrigger } from './flow-settings.ts'

describe('flow names', () => {
  it('takes what the API takes: 1–120 characters of one plain line, trimmed', () => {
    expect(flowNameProblem('Refund requests')).toBeNull()
    expect(flowNameProblem(`  ${'a'.repeat(FLOW_NAME_MAX)}  `)).toBeNull()
    expect(flowNameProblem('退款申请 😀'.repeat(20).slice(0, 118))).toBeNull()
  })

  it('names what the API would refuse', () => {
    expect(flowNameProblem('   ')).toBe('nameRequired')
    expect(flowNameProblem('a'.repeat(FLOW_NAME_MAX + 1))).toBe('nameTooLong')
    expect(flowNameProblem('a'.repeat(200))).toBe('nameTooLong')
    expect(flowNameProblem('<b>Refunds</b>')).toBe('nameCharacters')
    expect(flowNameProblem('Refunds > 100 €')).toBe('nameCharacters')
    expect(flowNameProblem('Refunds\tnow')).toBe('nameCharacters')
    expect(flowNameProblem('Refunds\u007f')).toBe('nameCharacters')
  })
})

describe('exclusive triggers', () => {
  it('allow one enabled flow per trigger, but any number of manual ones', () => {
    expect(isExclusiveTrigger('email.received')).toBe(true)
    expect(isExclusiveTrigger('message.offline')).toBe(true)
    expect(isExclusiveTrigger('manual')).toBe(false)
  })
})
