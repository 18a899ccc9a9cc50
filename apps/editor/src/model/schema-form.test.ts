import { describe, expect, it } from 'vitest'
import { NODE_CATALOG } from '@replyflow/flow'
import { defaultValue, describeSchema, getAt, setAt } from './schema-form.ts'

describe('config forms from the catalog schemas', () => {
  it('describes Get customer data as a list of outputs: category (optional choice), field, variable', () => {
    const form = describeSchema(NODE_CATALOG.get_customer_data.configSchema)
    expect(form.kind).toBe('object')
    const outputs = form.kind === 'object' ? form.fields[0] : undefined
    expect(outputs).toMatchObject({ key: 'outputs', required: true, field: { kind: 'array', minItems: 1, maxItems: 20 } })
    const item = outputs?.field.kind === 'array' ? outputs.field.item : undefined
    expect(item?.kind === 'object' ? item.fields.map((f) => [f.key, f.required, f.field.kind]) : []).toEqual([
      ['category', false, 'choice'],
      ['field', true, 'text'],
      ['variable', true, 'text'],
    ])
  })

  it('describes Message conversion output as a choice of channels', () => {
    const form = describeSchema(NODE_CATALOG.message_conversion.configSchema)
    expect(form.kind === 'object' ? form.fields[0]?.field : null).toEqual({ kind: 'choice', options: ['email', 'sms'] })
  })

  it('sets a nested value without touching the original, and removes a property set to undefined', () => {
    const config = { outputs: [{ variable: 'var_a', category: 'standard', field: 'message.content' }] }
    const next = setAt(config, ['outputs', 0, 'variable'], 'var_b')
    expect(getAt(next, ['outputs', 0, 'variable'])).toBe('var_b')
    expect(config.outputs[0]?.variable).toBe('var_a')
    expect(setAt(config, ['outputs', 0, 'category'], undefined)).toEqual({ outputs: [{ variable: 'var_a', field: 'message.content' }] })
  })

  it('makes a new list item with its required fields only', () => {
    const form = describeSchema(NODE_CATALOG.get_customer_data.configSchema)
    const outputs = form.kind === 'object' ? form.fields[0]?.field : undefined
    expect(outputs?.kind === 'array' ? defaultValue(outputs.item) : null).toEqual({ field: '', variable: '' })
  })
})
