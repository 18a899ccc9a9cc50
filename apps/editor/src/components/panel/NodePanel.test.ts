import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { DOMWrapper, VueWrapper } from '@vue/test-utils'
import type { FlowDefinition } from '@replyflow/flow'
import referenceJson from '../../../../../packages/flow/fixtures/reference.flow.json'
import { useFlowEditorStore } from '../../stores/flow-editor.ts'
import { mountInApp } from '../../test-utils.ts'
import NodePanel from './NodePanel.vue'

const reference = referenceJson as FlowDefinition

/** The form control a visible label names, as a user (or a screen reader) finds it. */
function byLabel(wrapper: VueWrapper, text: string): DOMWrapper<HTMLElement> {
  // A label's accessible text leaves out what it hides from assistive technology.
  const spoken = (label: DOMWrapper<HTMLLabelElement>) =>
    label.findAll('span:not([aria-hidden="true"])').length > 0 && label.find('.sr-only').exists() ? label.find('.sr-only').text() : label.text()
  const label = wrapper.findAll('label').find((candidate) => spoken(candidate).trim() === text)
  const id = label?.attributes('for')
  if (!id) throw new Error(`no label "${text}"`)
  return wrapper.find<HTMLElement>(`#${CSS.escape(id)}`)
}

function nodeOf(store: ReturnType<typeof useFlowEditorStore>, id: string) {
  return store.definition.nodes.find((node) => node.id === id)
}

describe('node panel', () => {
  let store: ReturnType<typeof useFlowEditorStore>
  let wrapper: VueWrapper

  function open(nodeId: string, locale: 'en' | 'zh-CN' = 'en'): VueWrapper {
    wrapper = mountInApp(NodePanel, { props: { nodeId }, locale })
    store = useFlowEditorStore()
    store.load(reference)
    return wrapper
  }

  beforeEach(() => {
    wrapper?.unmount()
  })

  it('rejects an output variable without var_ as it is typed, and accepts var_content', async () => {
    open('customer')
    await nextTick()
    const variable = byLabel(wrapper, 'Output variable')
    await variable.setValue('content')
    expect(wrapper.text()).toContain('“content” must start with var_')
    expect(variable.attributes('aria-invalid')).toBe('true')
    store.validateNow()
    await nextTick()
    expect(store.issuesByNode.get('customer')?.map((issue) => issue.code)).toEqual(['FLOW_VAR_PREFIX'])
    await variable.setValue('var_content')
    expect(variable.attributes('aria-invalid')).toBe('false')
    expect(nodeOf(store, 'customer')?.config).toEqual({ outputs: [{ variable: 'var_content', category: 'standard', field: 'message.content' }] })
  })

  it('offers standard fields by name when the category is standard, free text when custom', async () => {
    open('customer')
    await nextTick()
    const field = byLabel(wrapper, 'Field')
    expect(field.element.tagName).toBe('SELECT')
    expect(field.findAll('option').map((option) => option.text())).toContain('Message content · message.content')
    await byLabel(wrapper, 'Variable category').setValue('custom')
    expect(byLabel(wrapper, 'Field').element.tagName).toBe('INPUT')
    await byLabel(wrapper, 'Field').setValue('plan')
    expect(nodeOf(store, 'customer')?.config).toEqual({ outputs: [{ variable: 'var_content', category: 'custom', field: 'plan' }] })
  })

  it('offers only the flow’s channel as Message conversion output', async () => {
    open('convert')
    await nextTick()
    expect(byLabel(wrapper, 'Output parameter').findAll('option').map((option) => option.attributes('value'))).toEqual(['email'])
  })

  it('completes var_ variables that reach a logic node', async () => {
    open('check')
    await nextTick()
    const expression = byLabel(wrapper, 'Logical expression')
    await expression.setValue('var_c')
    const options = wrapper.findAll('[role="option"]')
    expect(options.map((option) => option.text())).toEqual(['var_content'])
    await expression.trigger('keydown', { key: 'Enter' })
    expect(nodeOf(store, 'check')?.config).toEqual({ expression: 'var_content' })
  })

  it('shows the validator’s expression errors inline', async () => {
    open('check')
    await nextTick()
    await byLabel(wrapper, 'Logical expression').setValue('var_nope == 1')
    store.validateNow()
    await nextTick()
    expect(wrapper.text()).toContain('“var_nope” is not set by a Get customer data node on every path to this node.')
  })

  it('connects results through the Connections section, and refuses a loop', async () => {
    open('convert')
    await nextTick()
    const failure = byLabel(wrapper, 'Next node on Failure')
    await failure.setValue('end')
    expect(store.definition.edges.find((edge) => edge.source === 'convert' && edge.result === 'FAILURE')?.target).toBe('end')
    expect(store.lastRejection).toBeNull()
    // assign → convert exists, so convert → assign would close a loop: refused, the choice reverts.
    const success = byLabel(wrapper, 'Next node on Success')
    await success.setValue('assign')
    expect(store.lastRejection?.code).toBe('FLOW_CYCLE')
    await nextTick()
    expect((success.element as HTMLSelectElement).value).toBe('end')
    await success.setValue('')
    expect(store.definition.edges.some((edge) => edge.source === 'convert' && edge.result === 'SUCCESS')).toBe(false)
  })

  it('speaks Simplified Chinese', async () => {
    open('check', 'zh-CN')
    await nextTick()
    expect(wrapper.text()).toContain('逻辑表达式')
    expect(wrapper.text()).toContain('连接')
  })
})
