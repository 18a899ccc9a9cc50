import { computed, watch, type ComputedRef } from 'vue'
import { createI18n, useI18n } from 'vue-i18n'
import { LOCALES, type Locale } from '@replyflow/flow'
import { en, type MessageSchema } from './en.ts'
import { zhCN } from './zh-CN.ts'

const STORAGE_KEY = 'replyflow.locale'

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** The remembered choice, else the first browser language we ship (any `zh*` reads as zh-CN), else English. */
export function initialLocale(storage: Pick<Storage, 'getItem'> | null, languages: readonly string[]): Locale {
  const remembered = storage?.getItem(STORAGE_KEY)
  if (isLocale(remembered)) return remembered
  for (const language of languages) {
    const lower = language.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-CN'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    // Storage can be disabled (privacy modes); the choice then lasts for the session only.
    return null
  }
}

/** Creates the app's i18n instance: `en` and `zh-CN`, remembered in localStorage. */
export function createAppI18n(locale: Locale = initialLocale(browserStorage(), navigator.languages)) {
  const i18n = createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, 'zh-CN': zhCN },
  })
  watch(i18n.global.locale, (next) => {
    browserStorage()?.setItem(STORAGE_KEY, next)
    document.documentElement.lang = next
  })
  document.documentElement.lang = locale
  return i18n
}

/** The current locale, typed as one the flow catalog has labels for. */
export function useLocale(): ComputedRef<Locale> {
  const { locale } = useI18n()
  return computed(() => (isLocale(locale.value) ? locale.value : 'en'))
}

export { LOCALES, isLocale }
export type { Locale }
