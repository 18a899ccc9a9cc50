import { diffFlows, type FlowDefinition } from '@replyflow/flow'

/** How a node or edge differs between two compared versions. */
export type DiffMark = 'added' | 'removed' | 'changed'

/** Two versions drawn as one: the newer definition plus what the older had and the newer lost. */
export interface DiffOverlay {
  definition: FlowDefinition
  nodes: Map<string, DiffMark>
  edges: Map<string, DiffMark>
}

/** Compares `before` with `after` (by `diffFlows`) and merges them for one canvas. */
export function diffOverlay(before: FlowDefinition, after: FlowDefinition): DiffOverlay {
  const diff = diffFlows(before, after)
  const nodes = new Map<string, DiffMark>()
  const edges = new Map<string, DiffMark>()
  for (const id of diff.nodes.added) nodes.set(id, 'added')
  for (const id of diff.nodes.removed) nodes.set(id, 'removed')
  // A node that only moved is not a difference worth a colour.
  for (const { id, changes } of diff.nodes.changed) if (changes.some((c) => c !== 'position')) nodes.set(id, 'changed')
  for (const id of diff.edges.added) edges.set(id, 'added')
  for (const id of diff.edges.removed) edges.set(id, 'removed')
  for (const { id } of diff.edges.changed) edges.set(id, 'changed')
  const removedNodes = new Set(diff.nodes.removed)
  const removedEdges = new Set(diff.edges.removed)
  return {
    definition: {
      ...after,
      nodes: [...after.nodes, ...before.nodes.filter((node) => removedNodes.has(node.id))],
      edges: [...after.edges, ...before.edges.filter((edge) => removedEdges.has(edge.id))],
    },
    nodes,
    edges,
  }
}
