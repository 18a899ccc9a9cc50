import Value from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { NODE_CATALOG, RESULT_LABELS, TRIGGER_LABELS } from './catalog.ts'
import { FLOW_TRIGGERS, NODE_RESULTS, NODE_TYPES, emptyFlow } from './definition.ts'
import { LOCALES, STANDARD_FIELDS, type Labels } from './fields.ts'
import { FLOW_ISSUES, validateFlow } from './validate.ts'

const HAN = /\p{Script=Han}/u

function expectBothLocales(labels: Labels, what: string): void {
  for (const locale of LOCALES) expect(labels[locale].trim(), `${what} (${locale})`).not.toBe('')
  expect(labels['zh-CN'], `${what} is translated`).toMatch(HAN)
}

describe('NODE_CATALOG', () => {
  it('describes every node type under its own name', () => {
    expect(Object.keys(NODE_CATALOG).sort()).toEqual([...NODE_TYPES].sort())
    for (const type of NODE_TYPES) expect(NODE_CATALOG[type].type).toBe(type)
  })

  it('gives each node the results of DESIGN.md §4', () => {
    expect(Object.fromEntries(NODE_TYPES.map((type) => [type, NODE_CATALOG[type].results]))).toEqual({
      start: ['SUCCESS'],
      get_customer_data: ['SUCCESS', 'FAILURE'],
      logic: ['SUCCESS', 'FALSE', 'FAILURE'],
      assign_all_agents: ['SUCCESS', 'FAILURE'],
      message_conversion: ['SUCCESS', 'FAILURE'],
      end: [],
    })
  })

  it('requires SUCCESS on every node but End, and FALSE too on logic', () => {
    for (const type of NODE_TYPES) {
      const { results, requiredResults } = NODE_CATALOG[type]
      for (const result of requiredResults) expect(results).toContain(result)
      expect(requiredResults).toEqual(type === 'end' ? [] : type === 'logic' ? ['SUCCESS', 'FALSE'] : ['SUCCESS'])
    }
  })

  it('starts every node but logic with a config its schema accepts', () => {
    for (const type of NODE_TYPES) {
      const accepted = Value.Check(NODE_CATALOG[type].configSchema, NODE_CATALOG[type].defaultConfig())
      // A fresh logic node has no expression yet: the admin must write one before publishing.
      expect(accepted, type).toBe(type !== 'logic')
    }
  })

  it('hands out a fresh default config each time, so editing one node leaves the next alone', () => {
    const first = NODE_CATALOG.get_customer_data.defaultConfig()
    const second = NODE_CATALOG.get_customer_data.defaultConfig()
    expect(second).toEqual(first)
    expect(second).not.toBe(first)
    expect(second.outputs).not.toBe(first.outputs)
  })

  it('publishes config schemas as plain JSON Schema the editor can render forms from', () => {
    interface JsonSchema {
      type?: string
      additionalProperties?: boolean
      required?: string[]
      properties?: Record<string, JsonSchema>
      items?: JsonSchema
      anyOf?: { const?: string }[]
    }
    const json = (type: (typeof NODE_TYPES)[number]): JsonSchema => JSON.parse(JSON.stringify(NODE_CATALOG[type].configSchema))
    for (const type of NODE_TYPES) {
      expect(json(type), type).toEqual({ ...NODE_CATALOG[type].configSchema })
      expect(json(type), type).toMatchObject({ type: 'object', additionalProperties: false })
    }
    expect(json('message_conversion').properties?.output?.anyOf?.map((s) => s.const)).toEqual(['email', 'sms'])
    expect(json('logic').required).toEqual(['expression'])
    expect(json('get_customer_data').properties?.outputs?.items?.required).toEqual(['variable', 'field'])
  })

  it('labels and describes every node in English and Simplified Chinese', () => {
    for (const type of NODE_TYPES) {
      expectBothLocales(NODE_CATALOG[type].label, `${type} label`)
      expectBothLocales(NODE_CATALOG[type].description, `${type} description`)
    }
    for (const locale of LOCALES) {
      const labels = NODE_TYPES.map((type) => NODE_CATALOG[type].label[locale])
      expect(new Set(labels).size, `${locale} labels are distinct`).toBe(labels.length)
    }
  })

  it('uses the names of DESIGN.md for the reference nodes', () => {
    expect(NODE_TYPES.map((type) => NODE_CATALOG[type].label.en)).toEqual([
      'Start',
      'Get customer data',
      'Logic operation',
      'Assign all agents',
      'Message conversion',
      'End',
    ])
  })
})

describe('other labels', () => {
  it('labels every result, trigger and standard field in both locales', () => {
    expect(Object.keys(RESULT_LABELS).sort()).toEqual([...NODE_RESULTS].sort())
    for (const result of NODE_RESULTS) expectBothLocales(RESULT_LABELS[result], result)
    expect(Object.keys(TRIGGER_LABELS).sort()).toEqual([...FLOW_TRIGGERS].sort())
    for (const trigger of FLOW_TRIGGERS) expectBothLocales(TRIGGER_LABELS[trigger], trigger)
    for (const [field, labels] of Object.entries(STANDARD_FIELDS)) expectBothLocales(labels, field)
  })

  it('offers the standard fields DESIGN.md lists', () => {
    expect(Object.keys(STANDARD_FIELDS)).toEqual([
      'customer.name',
      'customer.email',
      'customer.phone',
      'message.content',
      'message.subject',
      'message.channel',
      'conversation.assignees',
    ])
  })
})

describe('emptyFlow', () => {
  it('holds only a start node, and says what it still needs', () => {
    for (const channel of ['email', 'sms'] as const) {
      const flow = emptyFlow(channel)
      expect(flow.channel).toBe(channel)
      expect(flow.nodes.map((n) => n.type)).toEqual(['start'])
      expect(validateFlow(flow).map((issue) => issue.code)).toEqual([FLOW_ISSUES.missingEdge, FLOW_ISSUES.noReachableEnd])
    }
  })
})
