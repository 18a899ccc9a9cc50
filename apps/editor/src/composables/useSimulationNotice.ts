import { useI18n } from 'vue-i18n'
import { ApiError } from '../api/client.ts'
import type { MailboxSimulation } from '../api/types.ts'
import { useApiErrorText } from './useApiErrorText.ts'

/** A line under a form: what happened, and whether it went well. */
export interface Notice {
  ok: boolean
  text: string
}

/**
 * What a simulated mail came to, in the user's words: Replyflow took it, or
 * the route's forward got another answer, or no route takes the address.
 */
export function useSimulationNotice(): { done: (simulation: MailboxSimulation, success: string) => Notice; failed: (error: unknown, address: string) => Notice } {
  const { t } = useI18n()
  const errorText = useApiErrorText()

  function done(simulation: MailboxSimulation, success: string): Notice {
    const refused = simulation.forwards.find((forward) => forward.status === null || forward.status < 200 || forward.status > 299)
    if (!refused) return { ok: true, text: success }
    return { ok: false, text: refused.status === null ? t('dev.forwardUnreachable') : t('dev.forwardRefused', { status: refused.status }) }
  }

  function failed(error: unknown, address: string): Notice {
    if (error instanceof ApiError && error.code === 'MAILBOX_NO_ROUTE') return { ok: false, text: t('dev.noRoute', { address }) }
    return { ok: false, text: errorText(error) }
  }

  return { done, failed }
}
