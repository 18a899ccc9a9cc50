import { ref, shallowRef, type Ref } from 'vue'
import { devMailboxApi } from '../api/dev-mailbox.ts'

/** Whether the API runs the dev mailbox: null until known (not asked yet, or the question failed). */
const enabled = ref<boolean | null>(null)
/** Whether recorded mail survives a restart of the API (the built-in mailbox keeps it in memory). */
const persistent = ref(false)
/** Why the last question failed (e.g. a 403 for a non-admin), so a page can say so instead of "off". */
const problem = shallowRef<unknown>(null)
let probe: Promise<boolean | null> | null = null

/**
 * Whether the API runs the dev mailbox, asked once per page load (only admins may ask).
 * `check()` resolves with the answer, or null when the question failed: a failure
 * is not remembered, so the next check asks again.
 */
export function useDevMailbox(): { enabled: Ref<boolean | null>; persistent: Ref<boolean>; problem: Ref<unknown>; check: () => Promise<boolean | null> } {
  function check(): Promise<boolean | null> {
    probe ??= devMailboxApi.stats().then(
      (stats) => {
        problem.value = null
        // A server that does not say is the in-memory mailbox: only `persistent: true` promises more.
        persistent.value = stats?.persistent === true
        return (enabled.value = stats !== null)
      },
      (error: unknown) => {
        probe = null
        problem.value = error
        return null
      },
    )
    return probe
  }
  return { enabled, persistent, problem, check }
}
