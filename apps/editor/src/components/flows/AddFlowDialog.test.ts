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

  it('holds the API\'s name limits and says which one a name breaks, in both languages', async () => {
    const wrapper = mountInApp(AddFlowDialog, { props: { busy: false, error: null } })
    await wrapper.vm.open()
    const name = wrapper.find('#add-flow-name')
    await name.setValue('a'.repeat(121))
    expect(wrapper.text()).toContain('A flow name has at most 120 characters.')
    expect(name.attributes('aria-invalid')).toBe('true')
    await wrapper.find('form').trigger('submit')
    await name.setValue('<b>Refunds</b>')
    expect(wrapper.text()).toContain('A flow name is one line, without “<” or “>”.')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toBeUndefined()
    await name.setValue('a'.repeat(120))
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toHaveLength(1)
    wrapper.unmount()

    const zh = mountInApp(AddFlowDialog, { props: { busy: false, error: null }, locale: 'zh-CN' })
    await zh.vm.open()
    await zh.find('#add-flow-name').setValue('a'.repeat(121))
    expect(zh.text()).toContain('消息流名称最多 120 个字符。')
    zh.unmount()
  })

  it('starts an SMS flow on a trigger an SMS flow can serve, an e-mail flow on an e-mail arriving', async () => {
    const sms = mountInApp(AddFlowDialog, { props: { busy: false, error: null, channel: 'sms' } })
    await sms.vm.open()
    expect((sms.find('#add-flow-trigger').element as HTMLSelectElement).value).toBe('message.offline')
    sms.unmount()
    const email = mountInApp(AddFlowDialog, { props: { busy: false, error: null, channel: 'email' } })
    await email.vm.open()
    expect((email.find('#add-flow-trigger').element as HTMLSelectElement).value).toBe('email.received')
    email.unmount()
  })

  it('lists every trigger by its label, in Chinese too', async () => {
    const wrapper = mountInApp(AddFlowDialog, { props: { busy: false, error: null }, locale: 'zh-CN' })
    await nextTick()
    expect(wrapper.findAll('#add-flow-trigger option').map((option) => option.text())).toEqual(['收到客户邮件', '无客服在线时收到客户消息', '手动（仅通过 API 或编辑器）'])
    wrapper.unmount()
  })
})
