import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client.ts'
import { createAppI18n } from '../i18n/index.ts'
import { apiErrorText } from './useApiErrorText.ts'

function textIn(locale: 'en' | 'zh-CN', error: unknown): string {
  const { global } = createAppI18n(locale)
  const translator = { t: (key: string, params?: Record<string, unknown>) => global.t(key, params ?? {}), te: (key: string) => global.te(key) }
  return apiErrorText(error, translator, (issue) => `«${issue.code}»`)
}

describe('API errors, as the user reads them', () => {
  it('says a known code in the user’s language, without the code or the server’s English', () => {
    const taken = new ApiError(409, { code: 'API_AGENT_EMAIL_TAKEN', message: 'an agent with e-mail bob@example.com already exists' })
    expect(textIn('zh-CN', taken)).toBe('已有客服使用这个邮箱地址。')
    expect(textIn('en', taken)).toBe('Another agent already has this e-mail address.')
    expect(textIn('en', new ApiError(403, { code: 'API_WRONG_PASSWORD', message: 'wrong password' }))).toBe('The current password is wrong.')
  })

  it('names the active version when there is nothing new to publish', () => {
    const same = new ApiError(409, { code: 'API_NO_CHANGES', message: 'no changes', details: { activeVersion: 3 } })
    expect(textIn('en', same)).toContain('version 3')
    expect(textIn('zh-CN', same)).toContain('版本 3')
  })

  it('lists the fields a validation error names, by their label', () => {
    const invalid = new ApiError(400, {
      code: 'API_VALIDATION',
      message: 'body/email: must match format "email"',
      details: [{ path: 'body/email', message: 'must match format "email"' }, { path: 'body/teamAddress', message: 'x' }],
    })
    expect(textIn('en', invalid)).toBe('Please check: e-mail, team shared address.')
    expect(textIn('zh-CN', invalid)).toBe('请检查：邮箱、团队共享地址。')
  })

  it('says each issue of an invalid flow once', () => {
    const issue = { code: 'FLOW_CYCLE', message: 'loop' }
    expect(textIn('en', new ApiError(422, { code: 'invalid_flow', message: 'the flow has 2 problems', details: [issue, issue] }))).toBe('The flow can’t be published yet: «FLOW_CYCLE»')
  })

  it('keeps the code and the server’s words for what it has no message for', () => {
    expect(textIn('en', new ApiError(500, { code: 'API_SOMETHING_NEW', message: 'a new failure' }))).toBe('Something went wrong (API_SOMETHING_NEW): a new failure')
    expect(textIn('en', new ApiError(0, { code: 'NETWORK', message: 'fetch failed' }))).toContain('could not be reached')
  })
})
