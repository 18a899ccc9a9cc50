import { ref, watch, type Ref } from 'vue'

function storage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    // Storage can be disabled (privacy modes): the flag then lasts as long as the page.
    return null
  }
}

// One ref per key, so every screen that shows the flag agrees with the others.
const flags = new Map<string, Ref<boolean>>()

/** A yes/no the user chose once and expects kept (a panel closed, say), remembered in localStorage under `key`. */
export function useStoredFlag(key: string, initial: boolean): Ref<boolean> {
  const known = flags.get(key)
  if (known) return known
  const stored = storage()?.getItem(key)
  const flag = ref(stored === null || stored === undefined ? initial : stored === 'true')
  watch(flag, (value) => storage()?.setItem(key, String(value)))
  flags.set(key, flag)
  return flag
}
