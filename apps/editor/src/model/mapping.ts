import { markRaw } from 'vue'
import { MarkerType, type Connection, type Edge, type Node } from '@vue-flow/core'
import { NODE_CATALOG, NODE_RESULTS, RESULT_LABELS, type FlowDefinition, type FlowEdge, type FlowNode, type Locale, type NodeResult, type NodeType, type Position } from '@replyflow/flow'
import type { Intent } from './intents.ts'

/**
 * The one place that knows how a flow definition looks on a Vue Flow canvas,
 * and how a canvas gesture reads back as an intent. The definition is the
 * source of truth; everything here is a projection of it.
 */

/** The single Vue Flow node type: the node component dispatches on the flow node's kind. */
export const CANVAS_NODE_TYPE = 'step'
/** The single edge type: a result's edge, coloured and labelled by the result. */
export const CANVAS_EDGE_TYPE = 'result'
/** Id of every node's input handle; output handles are named after their result. */
export const INPUT_HANDLE = 'in'

/** The MIME type the palette puts on a dragged node kind. */
export const PALETTE_MIME = 'application/x-replyflow-node'

/** What a canvas node carries: the definition's node, as is. */
export interface StepData {
  node: FlowNode
}

/** What a canvas edge carries: the definition's edge and how to draw its label. */
export interface ResultEdgeData {
  edge: FlowEdge
  label: string
  colour: string
  /** Overlay marks (run path, diff) that apply to the label too. */
  extraClass: string
}

export type CanvasNode = Node<StepData>
export type CanvasEdge = Edge<ResultEdgeData>

/** Colours of results, shared by handles, edges and the minimap. */
export const RESULT_COLOURS: Record<NodeResult, string> = {
  SUCCESS: '#16a34a',
  FALSE: '#d97706',
  FAILURE: '#dc2626',
}

// Mapped objects are cached per definition object (definitions are immutable):
// a node that did not change maps to the very same canvas node, so Vue Flow and
// Vue skip it. This keeps a 500-node flow cheap to update.
const nodeCache = new WeakMap<FlowNode, { locale: Locale; node: CanvasNode }>()
const edgeCache = new WeakMap<FlowEdge, { locale: Locale; extraClass: string; edge: CanvasEdge }>()

/** What a node is called in lists and messages: its label, else its kind and id (in full-width brackets in Chinese). */
export function nodeName(node: FlowNode, locale: Locale): string {
  const kind = NODE_CATALOG[node.type].label[locale]
  return node.label ?? (locale === 'zh-CN' ? `${kind}（${node.id}）` : `${kind} (${node.id})`)
}

const RESULT_CODE = new RegExp(`\\b(${NODE_RESULTS.join('|')})\\b`, 'g')

/** A node kind's description, its result codes (`SUCCESS`, `FALSE`) said by the names the canvas shows (成功, 否). */
export function nodeDescription(type: NodeType, locale: Locale): string {
  return NODE_CATALOG[type].description[locale].replace(RESULT_CODE, (code: string) => {
    const result = NODE_RESULTS.find((known) => known === code)
    return result ? RESULT_LABELS[result][locale] : code
  })
}

/** The canvas node of a flow node. */
export function toCanvasNode(node: FlowNode, locale: Locale): CanvasNode {
  const cached = nodeCache.get(node)
  if (cached && cached.locale === locale) return cached.node
  const mapped: CanvasNode = {
    id: node.id,
    type: CANVAS_NODE_TYPE,
    // A copy: Vue Flow owns the canvas position while a node is dragged.
    position: { x: node.position.x, y: node.position.y },
    data: markRaw({ node }),
    ariaLabel: `${NODE_CATALOG[node.type].label[locale]}: ${node.label ?? node.id}`,
  }
  nodeCache.set(node, { locale, node: mapped })
  return mapped
}

/** The canvas edge of a flow edge: from the source's result handle, labelled and coloured by result. */
export function toCanvasEdge(edge: FlowEdge, locale: Locale, extraClass = ''): CanvasEdge {
  const cached = edgeCache.get(edge)
  if (cached && cached.locale === locale && cached.extraClass === extraClass) return cached.edge
  const colour = RESULT_COLOURS[edge.result]
  const mapped: CanvasEdge = {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    sourceHandle: edge.result,
    targetHandle: INPUT_HANDLE,
    type: CANVAS_EDGE_TYPE,
    ariaLabel: `${RESULT_LABELS[edge.result][locale]}: ${edge.source} → ${edge.target}`,
    class: `result-${edge.result.toLowerCase()} ${extraClass}`.trim(),
    style: { stroke: colour, strokeWidth: 2 },
    // Sized in canvas units, not stroke widths: a thicker highlighted edge (run path, diff) keeps the same arrowhead.
    markerEnd: { type: MarkerType.ArrowClosed, color: colour, width: 36, height: 36, markerUnits: 'userSpaceOnUse' },
    data: markRaw({ edge, label: RESULT_LABELS[edge.result][locale], colour, extraClass }),
  }
  edgeCache.set(edge, { locale, extraClass, edge: mapped })
  return mapped
}

/** Everything the canvas shows for a definition. `edgeClass` decorates edges (run path, diff). */
export function toCanvas(
  definition: FlowDefinition,
  locale: Locale,
  edgeClass: (edge: FlowEdge) => string = () => '',
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  return {
    nodes: definition.nodes.map((node) => toCanvasNode(node, locale)),
    edges: definition.edges.map((edge) => toCanvasEdge(edge, locale, edgeClass(edge))),
  }
}

function isResult(value: unknown): value is NodeResult {
  return typeof value === 'string' && (NODE_RESULTS as readonly string[]).includes(value)
}

/** The intent a handle-to-handle drag expresses, or null when it connects nothing meaningful. */
export function connectionToIntent(connection: Connection): Intent | null {
  if (!isResult(connection.sourceHandle)) return null
  return { type: 'connect', source: connection.source, result: connection.sourceHandle, target: connection.target }
}

/** Canvas nodes whose drag just ended, read back as a move intent (null if nothing moved). */
export function dragToIntent(moved: readonly { id: string; position: Position }[]): Intent | null {
  if (moved.length === 0) return null
  const positions: Record<string, Position> = {}
  for (const node of moved) positions[node.id] = { x: node.position.x, y: node.position.y }
  return { type: 'move-nodes', positions }
}
