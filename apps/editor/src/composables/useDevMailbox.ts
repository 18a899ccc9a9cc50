import { ref, type Ref } from 'vue'
import { devMailboxApi } from '../api/dev-mailbox.ts'

const enabled = ref<boolean | null>(null)
/** Whether recorded mail survives a restart of the API (the built-in mailbox keeps it in memory). */
const persistent = ref(false)
let probe: Promise<boolean> | null = null

/** Whether the API runs the dev mailbox, asked once per page load. */
export function useDevMailbox(): { enabled: Ref<boolean | null>; persistent: Ref<boolean>; check: () => Promise<boolean> } {
  function check(): Promise<boolean> {
    probe ??= devMailboxApi.stats().then((stats) => {
      // A server that does not say is the in-memory mailbox: only `persistent: true` promises more.
      persistent.value = stats?.persistent === true
      return (enabled.value = stats !== null)
    })
    return probe
  }
  return { enabled, persistent, check }
}
