import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { mountInApp } from '../../test-utils.ts'
import AddFlowDialog from './AddFlowDialog.vue'

describe('Add flow form', () => {
  it('asks for a name before creating, then hands over name and trigger', async () => {
    const wrapper = mountInApp(AddFlowDialog, { props: { busy: false, error: null } })
    await wrapper.vm.open()
    await wrapper.find('form').trigger('submit')
    expect(wrapper.text()).toContain('Give the flow a name.')
    expect(wrapper.emitted('submit')).toBeUndefined()
    await wrapper.find('#add-flow-name').setValue('  Refunds  ')
    await wrapper.find('#add-flow-trigger').setValue('message.offline')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toEqual([[{ name: 'Refunds', trigger: 'message.offline' }]])
    wrapper.unmount()
  })

  it('lists every trigger by its label, in Chinese too', async () => {
    const wrapper = mountInApp(AddFlowDialog, { props: { busy: false, error: null }, locale: 'zh-CN' })
    await nextTick()
    expect(wrapper.findAll('#add-flow-trigger option').map((option) => option.text())).toEqual(['收到客户邮件', '无客服在线时收到客户消息', '手动（仅通过 API 或编辑器）'])
    wrapper.unmount()
  })
})
