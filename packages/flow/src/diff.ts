import type { FlowDefinition, FlowEdge, FlowNode } from './definition.ts'

/** What differs about one node or edge present in both versions. */
export type NodeChange = 'type' | 'label' | 'config' | 'position'
export type EdgeChange = 'source' | 'target' | 'result'

export interface FlowDiff {
  channelChanged: boolean
  nodes: { added: string[]; removed: string[]; changed: { id: string; changes: NodeChange[] }[] }
  edges: { added: string[]; removed: string[]; changed: { id: string; changes: EdgeChange[] }[] }
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]))
}

function compare<T extends { id: string }, C extends string>(
  before: readonly T[],
  after: readonly T[],
  changesOf: (a: T, b: T) => C[],
) {
  const a = byId(before)
  const b = byId(after)
  return {
    added: after.filter((item) => !a.has(item.id)).map((item) => item.id),
    removed: before.filter((item) => !b.has(item.id)).map((item) => item.id),
    changed: after.flatMap((item) => {
      const old = a.get(item.id)
      const changes = old ? changesOf(old, item) : []
      return changes.length > 0 ? [{ id: item.id, changes }] : []
    }),
  }
}

function nodeChanges(a: FlowNode, b: FlowNode): NodeChange[] {
  const changes: NodeChange[] = []
  if (a.type !== b.type) changes.push('type')
  if ((a.label ?? '') !== (b.label ?? '')) changes.push('label')
  if (canonicalJson(a.config) !== canonicalJson(b.config)) changes.push('config')
  if (a.position.x !== b.position.x || a.position.y !== b.position.y) changes.push('position')
  return changes
}

function edgeChanges(a: FlowEdge, b: FlowEdge): EdgeChange[] {
  return (['source', 'target', 'result'] as const).filter((key) => a[key] !== b[key])
}

/** Compares two definitions node by node and edge by edge, matching by id. */
export function diffFlows(before: FlowDefinition, after: FlowDefinition): FlowDiff {
  return {
    channelChanged: before.channel !== after.channel,
    nodes: compare(before.nodes, after.nodes, nodeChanges),
    edges: compare(before.edges, after.edges, edgeChanges),
  }
}

/** JSON with object keys sorted, so equal definitions serialise (and checksum) identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  )
}
