import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { VueWrapper } from '@vue/test-utils'
import { mountInApp } from '../../test-utils.ts'
import ActionMenu from './ActionMenu.vue'

const actions = [
  { id: 'open', label: 'Open' },
  { id: 'enable', label: 'Enable', disabled: true },
  { id: 'delete', label: 'Delete…', danger: true },
]

describe('action menu', () => {
  let wrapper: VueWrapper

  afterEach(() => wrapper?.unmount())

  it('opens from the keyboard, moves with the arrows past what is disabled, and chooses with Enter', async () => {
    wrapper = mountInApp(ActionMenu, { props: { label: 'Actions for Refunds', actions } })
    const button = wrapper.get('button[aria-haspopup="menu"]')
    expect(button.attributes('aria-label')).toBe('Actions for Refunds')
    await button.trigger('keydown', { key: 'ArrowDown' })
    await nextTick()
    expect(button.attributes('aria-expanded')).toBe('true')
    expect(document.activeElement?.textContent?.trim()).toBe('Open')
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement?.textContent?.trim()).toBe('Delete…')
    await wrapper.findAll('[role="menuitem"]')[2]?.trigger('click')
    expect(wrapper.emitted('select')).toEqual([['delete']])
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
  })

  it('closes on Escape and gives the focus back to its button, choosing nothing', async () => {
    wrapper = mountInApp(ActionMenu, { props: { label: 'More actions', actions } })
    const button = wrapper.get('button[aria-haspopup="menu"]')
    await button.trigger('click')
    await nextTick()
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(button.element)
    expect(wrapper.emitted('select')).toBeUndefined()
  })

  it('does nothing for a disabled entry', async () => {
    wrapper = mountInApp(ActionMenu, { props: { label: 'More actions', actions } })
    await wrapper.get('button[aria-haspopup="menu"]').trigger('click')
    await nextTick()
    await wrapper.findAll('[role="menuitem"]')[1]?.trigger('click')
    expect(wrapper.emitted('select')).toBeUndefined()
  })
})
