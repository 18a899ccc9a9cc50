import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import type { Component } from 'vue'
import type { Locale } from '@replyflow/flow'
import { createAppI18n } from './i18n/index.ts'

/** Mounts a component with the app's real plugins (a fresh Pinia, the i18n instance in `locale`). */
export function mountInApp<C extends Component>(component: C, options: ComponentMountingOptions<C> & { locale?: Locale; pinia?: Pinia } = {}) {
  const pinia = options.pinia ?? createPinia()
  setActivePinia(pinia)
  const { locale = 'en', pinia: _pinia, ...rest } = options
  return mount(component, {
    ...rest,
    global: { ...rest.global, plugins: [...(rest.global?.plugins ?? []), pinia, createAppI18n(locale)] },
    attachTo: document.body,
  })
}
