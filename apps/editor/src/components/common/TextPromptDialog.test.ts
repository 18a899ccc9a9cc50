import { describe, expect, it } from 'vitest'
import { mountInApp } from '../../test-utils.ts'
import TextPromptDialog from './TextPromptDialog.vue'

describe('one-line prompt (rename)', () => {
  it('says beside the field what its check refuses, and submits only what passes', async () => {
    const check = (value: string) => (value.length > 5 ? 'Too long.' : null)
    const wrapper = mountInApp(TextPromptDialog, { props: { title: 'Rename', label: 'Name', submitLabel: 'Save', busy: false, error: null, check } })
    await wrapper.vm.open('Old')
    const input = wrapper.find('input')
    await input.setValue('Far too long')
    expect(wrapper.find('.field-error').text()).toBe('Too long.')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeDefined()
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toBeUndefined()
    await input.setValue(' New ')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toEqual([['New']])
    wrapper.unmount()
  })
})
