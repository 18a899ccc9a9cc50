import type { FlowDefinition } from '@replyflow/flow'

/**
 * Flow versions by id. Versions are immutable, so a cached one is never stale;
 * the cache is bounded (least recently used out first) and its ids tell the
 * API which definitions it need not send again.
 */
export interface VersionCache {
  get(versionId: string): FlowDefinition | undefined
  set(versionId: string, definition: FlowDefinition): void
  ids(): string[]
  readonly size: number
}

/** An LRU cache of flow versions holding at most `capacity` of them. */
export function createVersionCache(capacity = 500): VersionCache {
  // A Map iterates in insertion order: re-inserting on read keeps the most recent last.
  const entries = new Map<string, FlowDefinition>()
  return {
    get(versionId) {
      const definition = entries.get(versionId)
      if (definition) {
        entries.delete(versionId)
        entries.set(versionId, definition)
      }
      return definition
    },
    set(versionId, definition) {
      entries.delete(versionId)
      entries.set(versionId, definition)
      while (entries.size > capacity) {
        const oldest = entries.keys().next().value
        if (oldest === undefined) break
        entries.delete(oldest)
      }
    },
    ids: () => [...entries.keys()],
    get size() {
      return entries.size
    },
  }
}
