import { useI18n } from 'vue-i18n'
import { NODE_RESULTS, RESULT_LABELS, type NodeResult } from '@replyflow/flow'
import { useLocale } from '../i18n/index.ts'

function isResult(value: string): value is NodeResult {
  return (NODE_RESULTS as readonly string[]).includes(value)
}

/**
 * Says a validation issue (or a refused intent) in the user's language: the
 * message is looked up by code, and parameters that name a result or a channel
 * are shown by their label rather than their code.
 */
export function useIssueText(): (issue: { code: string; params?: Record<string, string> }) => string {
  const { t, te } = useI18n()
  const locale = useLocale()
  return (issue) => {
    const params: Record<string, string> = {}
    for (const [key, value] of Object.entries(issue.params ?? {})) {
      if (key === 'result' && isResult(value)) params[key] = RESULT_LABELS[value][locale.value]
      else if ((key === 'channel' || key === 'output' || key === 'imported') && te(`config.channels.${value}`)) params[key] = t(`config.channels.${value}`)
      else params[key] = value
    }
    // A config path (`config/outputs/0/variable`) is named by the field the form shows.
    const path = issue.params?.path
    if (path !== undefined) {
      const key = path.split('/').reverse().find((part) => part !== '' && !/^\d+$/.test(part)) ?? path
      const label = key === 'output' ? 'config.channelOutput' : `config.${key}`
      params.field = te(label) ? t(label) : key
    }
    return te(`issues.${issue.code}`) ? t(`issues.${issue.code}`, params) : issue.code
  }
}
