import { NODE_CATALOG, type FlowDefinition, type FlowNode, type Position } from '@replyflow/flow'

/** A node card's width on the canvas (StepNode.vue). */
export const NODE_WIDTH = 200
/** Room an edge needs between two cards: its arrow and its result label ("Success", "成功"). */
const GAP = { x: 100, y: 48 }
/** Spreading more than this would only push far-apart nodes out of view: lay the flow out instead. */
const MAX_SPREAD = 3
/** Columns and rows of a fresh layout. */
const LAYOUT_STEP = { x: NODE_WIDTH + 120, y: 200 }
const GRID = 20

/** About how tall a card is: its title rows, a summary line for kinds with settings, a row per result handle. */
export function estimatedHeight(node: FlowNode): number {
  const results = NODE_CATALOG[node.type].results.length
  const summary = node.type === 'get_customer_data' || node.type === 'logic' || node.type === 'message_conversion' ? 24 : 0
  return 52 + summary + (results > 0 ? 12 + 22 * results : 0)
}

/** How much farther apart two nodes must be, position-wise, for their cards (and an edge between) to fit; 1 when they already do. */
function spreadNeeded(a: FlowNode, b: FlowNode, slack = 0): number {
  const dx = Math.abs(a.position.x - b.position.x)
  const dy = Math.abs(a.position.y - b.position.y)
  const upper = a.position.y <= b.position.y ? a : b
  if (dx >= NODE_WIDTH + GAP.x || dy >= estimatedHeight(upper) + GAP.y) return 1
  const needX = NODE_WIDTH + GAP.x + slack
  const needY = estimatedHeight(upper) + GAP.y + slack
  // Either direction can give the room; the cheaper one will do.
  return Math.min(dx > 0 ? needX / dx : Infinity, dy > 0 ? needY / dy : Infinity)
}

const snap = (value: number) => Math.round(value / GRID) * GRID

/** A layered layout: each node one column right of the node before it on the longest path from Start. */
function layered(definition: FlowDefinition): FlowNode[] {
  const column = new Map<string, number>()
  const start = definition.nodes.find((node) => node.type === 'start')
  if (start) {
    column.set(start.id, 0)
    // Longest path, bounded by the node count so a loop can't keep it going.
    for (let round = 0; round < definition.nodes.length; round++) {
      let changed = false
      for (const edge of definition.edges) {
        const from = column.get(edge.source)
        if (from === undefined || (column.get(edge.target) ?? -1) >= from + 1 || from + 1 >= definition.nodes.length) continue
        column.set(edge.target, from + 1)
        changed = true
      }
      if (!changed) break
    }
  }
  const last = Math.max(-1, ...column.values()) + 1
  const byColumn = new Map<number, FlowNode[]>()
  for (const node of definition.nodes) {
    const at = column.get(node.id) ?? last
    byColumn.set(at, [...(byColumn.get(at) ?? []), node])
  }
  const placed = new Map<string, Position>()
  for (const [at, nodes] of byColumn) {
    const ordered = [...nodes].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x)
    ordered.forEach((node, row) => placed.set(node.id, { x: at * LAYOUT_STEP.x, y: row * LAYOUT_STEP.y }))
  }
  return definition.nodes.map((node) => ({ ...node, position: placed.get(node.id) ?? node.position }))
}

/**
 * Gives an imported flow whose cards would overlap (or leave no room for the
 * edges between them) the room it needs: its positions spread out evenly, so
 * its shape stays as its author drew it; nodes stacked on one spot get a fresh
 * layered layout instead. Returns the definition itself when nothing is cramped.
 */
export function spreadOverlapping(definition: FlowDefinition): FlowDefinition {
  const nodes = definition.nodes
  let spread = 1
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]
      const b = nodes[j]
      // Snapping to the grid may take back up to a grid step: ask for that much more.
      if (a && b) spread = Math.max(spread, spreadNeeded(a, b, GRID))
    }
  }
  if (spread === 1) return definition
  if (spread > MAX_SPREAD) return { ...definition, nodes: layered(definition) }
  return {
    ...definition,
    nodes: nodes.map((node) => ({ ...node, position: { x: snap(node.position.x * spread), y: snap(node.position.y * spread) } })),
  }
}
