import { useI18n } from 'vue-i18n'
import { ApiError } from '../api/client.ts'

/** Turns a failed call into a sentence for the user, in their language. */
export function useApiErrorText(): (error: unknown) => string {
  const { t } = useI18n()
  return (error) => {
    if (error instanceof ApiError) {
      if (error.code === 'NETWORK') return t('errors.network')
      return t('errors.unexpected', { code: error.code, message: error.message })
    }
    return t('errors.unexpected', { code: 'CLIENT', message: error instanceof Error ? error.message : String(error) })
  }
}
