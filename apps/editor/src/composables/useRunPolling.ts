import { onBeforeUnmount, ref, type Ref } from 'vue'
import { runsApi } from '../api/endpoints.ts'
import type { Run } from '../api/types.ts'

/** How often a live run is asked for, and for how long at most. */
export const RUN_POLL_MS = 400
export const RUN_POLL_LIMIT_MS = 120_000

const FINISHED = new Set<Run['status']>(['succeeded', 'failed'])

/** Follows a run until it finishes, handing each new state to `onUpdate` (so the canvas shows it live). */
export function useRunPolling(onUpdate: (run: Run) => Promise<void> | void): { running: Ref<boolean>; follow: (runId: string) => Promise<Run | null> } {
  const running = ref(false)
  let stopped = false
  onBeforeUnmount(() => {
    stopped = true
  })

  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  async function follow(runId: string): Promise<Run | null> {
    running.value = true
    const deadline = Date.now() + RUN_POLL_LIMIT_MS
    try {
      while (!stopped && Date.now() < deadline) {
        const run = await runsApi.get(runId)
        await onUpdate(run)
        if (FINISHED.has(run.status)) return run
        await wait(RUN_POLL_MS)
      }
      return null
    } finally {
      running.value = false
    }
  }

  return { running, follow }
}
