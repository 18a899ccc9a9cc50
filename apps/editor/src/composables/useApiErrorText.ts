import { useI18n } from 'vue-i18n'
import { ApiError } from '../api/client.ts'
import { useIssueText } from './useIssueText.ts'

/** What the text needs from vue-i18n (the composer, or `i18n.global` in tests). */
export interface Translator {
  t: (key: string, params?: Record<string, unknown>) => string
  te: (key: string) => boolean
}

type IssueText = (issue: { code: string; params?: Record<string, string> }) => string

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The active version a 409 `API_NO_CHANGES` names in its details (a number, or `{ version }` / `{ activeVersion }`). */
function versionIn(details: unknown): string {
  if (typeof details === 'number') return String(details)
  if (isRecord(details)) for (const key of ['activeVersion', 'version']) if (typeof details[key] === 'number') return String(details[key])
  return '?'
}

/** The fields a 400 `API_VALIDATION` names (`details: [{ path: 'body/email', message }]`), by their label where there is one. */
function invalidFields(details: unknown, { t, te }: Translator): string {
  if (!Array.isArray(details)) return ''
  const names = details.flatMap((detail) => {
    if (!isRecord(detail) || typeof detail.path !== 'string') return []
    const key = detail.path.split('/').reverse().find((part) => part !== '' && !/^\d+$/.test(part)) ?? detail.path
    return [te(`errors.fields.${key}`) ? t(`errors.fields.${key}`) : key]
  })
  return [...new Set(names)].join(t('app.listSeparator'))
}

/** Issues of a 422 `invalid_flow`, each said in the user's language. */
function flowIssues(details: unknown, issueText: IssueText, { t }: Translator): string {
  if (!Array.isArray(details)) return ''
  const texts = details.flatMap((issue) => {
    if (!isRecord(issue) || typeof issue.code !== 'string') return []
    const params = isRecord(issue.params) ? Object.fromEntries(Object.entries(issue.params).map(([key, value]) => [key, String(value)])) : undefined
    return [issueText({ code: issue.code, params })]
  })
  return [...new Set(texts)].join(t('app.sentenceSeparator'))
}

/**
 * A failed call as a sentence in the user's language: known codes by their own
 * message (`errors.codes.*`), anything else by its code and the server's words.
 */
export function apiErrorText(error: unknown, translator: Translator, issueText: IssueText): string {
  const { t, te } = translator
  if (!(error instanceof ApiError)) return t('errors.unexpected', { code: 'CLIENT', message: error instanceof Error ? error.message : String(error) })
  if (error.code === 'NETWORK') return t('errors.network')
  const key = `errors.codes.${error.code}`
  if (!te(key)) return t('errors.unexpected', { code: error.code, message: error.message })
  if (error.code === 'API_VALIDATION') {
    const fields = invalidFields(error.details, translator)
    return fields ? t(key, { fields }) : t('errors.validationNoFields')
  }
  if (error.code === 'invalid_flow') return t(key, { issues: flowIssues(error.details, issueText, translator) || error.message })
  return t(key, { version: versionIn(error.details) })
}

/** Turns a failed call into a sentence for the user, in their language. */
export function useApiErrorText(): (error: unknown) => string {
  const { t, te } = useI18n()
  const issueText = useIssueText()
  return (error) => apiErrorText(error, { t, te }, issueText)
}
