import { ref, type Ref } from 'vue'
import { devMailboxApi } from '../api/dev-mailbox.ts'

const enabled = ref<boolean | null>(null)
let probe: Promise<boolean> | null = null

/** Whether the API runs the dev mailbox, asked once per page load. */
export function useDevMailbox(): { enabled: Ref<boolean | null>; check: () => Promise<boolean> } {
  function check(): Promise<boolean> {
    probe ??= devMailboxApi.available().then((on) => (enabled.value = on))
    return probe
  }
  return { enabled, check }
}
