import { describe, expect, it } from 'vitest'
import { FLOW_ISSUES } from '@replyflow/flow'
import { EDITOR_REJECTIONS } from '../model/intents.ts'
import { en } from './en.ts'
import { createAppI18n, initialLocale } from './index.ts'
import { zhCN } from './zh-CN.ts'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()

describe('UI messages', () => {
  const english = flatten(en)
  const chinese = flatten(zhCN)

  it('say everything in both languages, with the same placeholders', () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort())
    for (const [key, message] of english) {
      // Separators may be a space in English and nothing in Chinese.
      if (!key.endsWith('Separator')) expect(message.trim(), key).not.toBe('')
      expect(placeholders(chinese.get(key) ?? ''), key).toEqual(placeholders(message))
    }
  })

  it('compile, every one in both languages, as vue-i18n does on screen (a bare @ or | breaks a message, and the screen showing it)', () => {
    const i18n = createAppI18n('en')
    for (const [locale, messages] of [['en', english], ['zh-CN', chinese]] as const) {
      i18n.global.locale.value = locale
      for (const [key, message] of messages) {
        const params = Object.fromEntries(placeholders(message).map((name) => [name, 2]))
        expect(() => i18n.global.t(key, params), `${locale} ${key}`).not.toThrow()
      }
    }
  })

  it('explain every validator issue and every refusal', () => {
    for (const code of [...Object.values(FLOW_ISSUES), ...Object.values(EDITOR_REJECTIONS)]) {
      expect(english.has(`issues.${code}`), code).toBe(true)
    }
  })

  it('write Chinese with full-width punctuation and no stray spaces around it or around result names', () => {
    for (const [key, message] of chinese) {
      expect(message, key).not.toMatch(/[。，、：；！？）”] /)
      expect(message, key).not.toMatch(/ \{result\}|\{result\} /)
      expect(message, key).not.toMatch(/\p{Script=Han}[(:]|\)\p{Script=Han}/u)
    }
  })

  it('tell where agents’ replies go as packages/mail composes it: to the conversation’s reply+ address, not the team address', () => {
    const i18n = createAppI18n('en')
    for (const locale of ['en', 'zh-CN'] as const) {
      i18n.global.locale.value = locale
      expect(i18n.global.t('offline.teamHelp'), locale).toContain('reply+…@')
      expect(i18n.global.t('offline.teamAddressAgent'), locale).not.toMatch(/Reply-To|回复地址/)
    }
  })

  it('default to the browser language, and to a remembered choice over it', () => {
    expect(initialLocale(null, ['zh-TW', 'en'])).toBe('zh-CN')
    expect(initialLocale(null, ['de-DE', 'en-GB'])).toBe('en')
    expect(initialLocale(null, ['fr'])).toBe('en')
    expect(initialLocale({ getItem: () => 'en' }, ['zh-CN'])).toBe('en')
    expect(initialLocale({ getItem: () => 'klingon' }, ['zh-CN'])).toBe('zh-CN')
  })
})
