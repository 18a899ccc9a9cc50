import { ref, type Ref } from 'vue'
import { request } from '../api/client.ts'

/** Where the API mounts the local Mailgun-compatible server when no Mailgun key is set. */
export const DEV_MAILGUN = '/dev/mailgun'

const enabled = ref<boolean | null>(null)
let probe: Promise<boolean> | null = null

/** Whether the API runs the dev mailbox; asked once (its control surface answers only when it does). */
export function useDevMailbox(): { enabled: Ref<boolean | null>; check: () => Promise<boolean> } {
  function check(): Promise<boolean> {
    probe ??= request('GET', `${DEV_MAILGUN}/mailbox/stats`, { quietUnauthorized: true }).then(
      () => (enabled.value = true),
      () => (enabled.value = false),
    )
    return probe
  }
  return { enabled, check }
}
