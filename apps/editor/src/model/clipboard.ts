import type { FlowDefinition, FlowEdge, FlowNode } from '@replyflow/flow'
import { freshEdgeId, freshNodeId } from './ids.ts'
import { hasStart, type Intent } from './intents.ts'

/** Copied nodes and the edges between them, detached from any definition. */
export interface Fragment {
  nodes: FlowNode[]
  edges: FlowEdge[]
}

/** How far a pasted copy lands from its original, so both stay visible. */
export const PASTE_OFFSET = 40

/** The selected nodes and the edges that run between two of them. */
export function copyFragment(definition: FlowDefinition, nodeIds: Iterable<string>): Fragment {
  const ids = new Set(nodeIds)
  return {
    nodes: definition.nodes.filter((node) => ids.has(node.id)),
    edges: definition.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)),
  }
}

/** The fragment without the Starts a flow can't take: none while it has one, else all but the first (a flow has exactly one). */
function withoutExtraStarts(definition: FlowDefinition, fragment: Fragment): Fragment {
  let startTaken = hasStart(definition)
  const nodes = fragment.nodes.filter((node) => {
    if (node.type !== 'start') return true
    const keep = !startTaken
    startTaken = true
    return keep
  })
  if (nodes.length === fragment.nodes.length) return fragment
  const kept = new Set(nodes.map((node) => node.id))
  return { nodes, edges: fragment.edges.filter((edge) => kept.has(edge.source) && kept.has(edge.target)) }
}

/**
 * A paste intent for a fragment: fresh ids for every node and edge (edges
 * follow their renamed ends), positions shifted by `offset` steps. A Start is
 * left out while the flow has one, with its edges; the rest is pasted.
 */
export function pasteIntent(definition: FlowDefinition, copied: Fragment, offset = 1): Intent {
  const fragment = withoutExtraStarts(definition, copied)
  const takenNodes = new Set(definition.nodes.map((node) => node.id))
  const takenEdges = new Set(definition.edges.map((edge) => edge.id))
  const renamed = new Map<string, string>()
  const nodes = fragment.nodes.map((node) => {
    const id = freshNodeId(node.type, takenNodes)
    takenNodes.add(id)
    renamed.set(node.id, id)
    const shift = PASTE_OFFSET * offset
    return { ...node, id, position: { x: node.position.x + shift, y: node.position.y + shift }, config: structuredClone(node.config) }
  })
  const edges = fragment.edges.map((edge) => {
    const id = freshEdgeId(takenEdges)
    takenEdges.add(id)
    return { ...edge, id, source: renamed.get(edge.source) ?? edge.source, target: renamed.get(edge.target) ?? edge.target }
  })
  return { type: 'paste', nodes, edges }
}
