import {
  FLOW_ISSUES,
  NODE_CATALOG,
  validateFlow,
  type FlowDefinition,
  type FlowEdge,
  type FlowIssueCode,
  type FlowNode,
  type NodeResult,
  type NodeType,
  type Position,
  type ValidationIssue,
} from '@replyflow/flow'
import { freshEdgeId, freshNodeId } from './ids.ts'

/** Something the user asked the canvas or a panel to do to the definition. */
export type Intent =
  | { type: 'add-node'; nodeType: NodeType; position: Position }
  | { type: 'move-nodes'; positions: Readonly<Record<string, Position>> }
  | { type: 'remove'; nodeIds: readonly string[]; edgeIds: readonly string[] }
  | { type: 'connect'; source: string; result: NodeResult; target: string }
  | { type: 'disconnect'; source: string; result: NodeResult }
  | { type: 'update-config'; nodeId: string; config: Record<string, unknown> }
  | { type: 'rename-node'; nodeId: string; label: string }
  | { type: 'paste'; nodes: readonly FlowNode[]; edges: readonly FlowEdge[] }
  | { type: 'replace'; definition: FlowDefinition }

/** Why an intent was refused: a validator code (or an editor one) with its parameters. */
export interface Rejection {
  code: FlowIssueCode | EditorRejectionCode
  params: Record<string, string>
}

/** Refusals that have no validator code: the intent names something that isn't there. */
export const EDITOR_REJECTIONS = {
  unknownNode: 'EDITOR_UNKNOWN_NODE',
  channelMismatch: 'EDITOR_IMPORT_CHANNEL',
  readOnly: 'EDITOR_READ_ONLY',
  secondStart: 'EDITOR_SECOND_START',
} as const
export type EditorRejectionCode = (typeof EDITOR_REJECTIONS)[keyof typeof EDITOR_REJECTIONS]

export type IntentOutcome =
  | { ok: true; definition: FlowDefinition; /** ids of nodes the intent created */ created: string[] }
  | { ok: false; rejection: Rejection }

/**
 * Rules a draft may never break, even for a moment: the API would refuse to
 * store such a draft, or the canvas could not show it. Every other rule (a
 * missing edge, a `var_` prefix) is a normal state while editing and is shown
 * as an issue instead.
 */
const STRUCTURAL: ReadonlySet<FlowIssueCode> = new Set([
  FLOW_ISSUES.schema,
  FLOW_ISSUES.duplicateNodeId,
  FLOW_ISSUES.duplicateEdgeId,
  FLOW_ISSUES.edgeUnknownNode,
  FLOW_ISSUES.edgeResult,
  FLOW_ISSUES.edgeDuplicateResult,
  FLOW_ISSUES.cycle,
])

/** Whether the flow has its Start: a flow has exactly one, so the editor never adds a second. */
export function hasStart(definition: FlowDefinition): boolean {
  return definition.nodes.some((node) => node.type === 'start')
}

/** Validation results by definition object: definitions are immutable, so a result never goes stale. */
const validated = new WeakMap<FlowDefinition, ValidationIssue[]>()

/** `validateFlow` from `@replyflow/flow`, memoised per (immutable) definition. */
export function issuesOf(definition: FlowDefinition): ValidationIssue[] {
  let issues = validated.get(definition)
  if (!issues) {
    issues = validateFlow(definition)
    validated.set(definition, issues)
  }
  return issues
}

/** Issues already computed for this definition, if any (never computes). */
export function knownIssuesOf(definition: FlowDefinition): ValidationIssue[] | undefined {
  return validated.get(definition)
}

const issueKey = (issue: ValidationIssue) => `${issue.code}\u0000${issue.nodeId ?? ''}\u0000${issue.edgeId ?? ''}\u0000${issue.message}`

/** The first structural issue `after` has that `before` did not. */
function introducedStructuralIssue(before: FlowDefinition, after: FlowDefinition): ValidationIssue | undefined {
  const existing = new Set(issuesOf(before).filter((i) => STRUCTURAL.has(i.code)).map(issueKey))
  return issuesOf(after).find((issue) => STRUCTURAL.has(issue.code) && !existing.has(issueKey(issue)))
}

function reject(code: Rejection['code'], params: Record<string, string> = {}): IntentOutcome {
  return { ok: false, rejection: { code, params } }
}

function replaceNode(definition: FlowDefinition, nodeId: string, update: (node: FlowNode) => FlowNode): FlowDefinition {
  return { ...definition, nodes: definition.nodes.map((node) => (node.id === nodeId ? update(node) : node)) }
}

/** Applies an intent without judging it; `applyIntent` decides whether the result may stand. */
function apply(definition: FlowDefinition, intent: Intent): IntentOutcome {
  const nodeIds = new Set(definition.nodes.map((node) => node.id))
  const requireNode = (id: string) => (nodeIds.has(id) ? undefined : reject(EDITOR_REJECTIONS.unknownNode, { id }))

  switch (intent.type) {
    case 'add-node': {
      if (intent.nodeType === 'start' && hasStart(definition)) return reject(EDITOR_REJECTIONS.secondStart)
      const id = freshNodeId(intent.nodeType, nodeIds)
      const node: FlowNode = {
        id,
        type: intent.nodeType,
        position: { x: Math.round(intent.position.x), y: Math.round(intent.position.y) },
        config: NODE_CATALOG[intent.nodeType].defaultConfig(),
      }
      // A new Message conversion speaks the flow's channel from the start.
      if (intent.nodeType === 'message_conversion') node.config = { ...node.config, output: definition.channel }
      return { ok: true, definition: { ...definition, nodes: [...definition.nodes, node] }, created: [id] }
    }
    case 'move-nodes': {
      // Unchanged nodes keep their identity, so the canvas re-renders only what moved;
      // a move that moves nothing keeps the definition itself (no undo step).
      let moved = false
      const nodes = definition.nodes.map((node) => {
        const to = intent.positions[node.id]
        if (!to) return node
        const position = { x: Math.round(to.x), y: Math.round(to.y) }
        if (position.x === node.position.x && position.y === node.position.y) return node
        moved = true
        return { ...node, position }
      })
      return { ok: true, definition: moved ? { ...definition, nodes } : definition, created: [] }
    }
    case 'remove': {
      const nodes = new Set(intent.nodeIds)
      const edges = new Set(intent.edgeIds)
      return {
        ok: true,
        definition: {
          ...definition,
          nodes: definition.nodes.filter((node) => !nodes.has(node.id)),
          edges: definition.edges.filter((edge) => !edges.has(edge.id) && !nodes.has(edge.source) && !nodes.has(edge.target)),
        },
        created: [],
      }
    }
    case 'connect': {
      const missing = requireNode(intent.source) ?? requireNode(intent.target)
      if (missing) return missing
      // One edge per result: connecting a result again moves its edge.
      const kept = definition.edges.filter((edge) => !(edge.source === intent.source && edge.result === intent.result))
      const replaced = definition.edges.find((edge) => edge.source === intent.source && edge.result === intent.result)
      const id = replaced?.id ?? freshEdgeId(new Set(definition.edges.map((edge) => edge.id)))
      const edge: FlowEdge = { id, source: intent.source, target: intent.target, result: intent.result }
      return { ok: true, definition: { ...definition, edges: [...kept, edge] }, created: [] }
    }
    case 'disconnect': {
      const edges = definition.edges.filter((edge) => !(edge.source === intent.source && edge.result === intent.result))
      return { ok: true, definition: { ...definition, edges }, created: [] }
    }
    case 'update-config':
      return (
        requireNode(intent.nodeId) ?? {
          ok: true,
          definition: replaceNode(definition, intent.nodeId, (node) => ({ ...node, config: intent.config })),
          created: [],
        }
      )
    case 'rename-node':
      return (
        requireNode(intent.nodeId) ?? {
          ok: true,
          definition: replaceNode(definition, intent.nodeId, (node) => {
            const { label: _old, ...rest } = node
            const label = intent.label.trim()
            return label === '' ? rest : { ...rest, label }
          }),
          created: [],
        }
      )
    case 'paste':
      // Nothing left to paste (a lone Start, say): no change, so no undo step and no save.
      if (intent.nodes.length === 0 && intent.edges.length === 0) return { ok: true, definition, created: [] }
      return {
        ok: true,
        definition: { ...definition, nodes: [...definition.nodes, ...intent.nodes], edges: [...definition.edges, ...intent.edges] },
        created: intent.nodes.map((node) => node.id),
      }
    case 'replace':
      if (intent.definition.channel !== definition.channel) {
        return reject(EDITOR_REJECTIONS.channelMismatch, { channel: definition.channel, imported: String(intent.definition.channel) })
      }
      return { ok: true, definition: intent.definition, created: [] }
  }
}

/** Intents that can't break a structural rule, so they skip the (whole-flow) check. */
const ALWAYS_SAFE: ReadonlySet<Intent['type']> = new Set(['move-nodes', 'remove', 'disconnect', 'update-config'])

/**
 * Applies an intent to a definition and returns the next definition (the input
 * is never mutated; untouched nodes and edges keep their identity), or the
 * reason it is refused. Refused: anything that would give the draft a
 * structural issue by the same `validateFlow` the API runs — an edge from a
 * result the node never produces, a second edge for one result, a loop.
 */
export function applyIntent(definition: FlowDefinition, intent: Intent): IntentOutcome {
  const outcome = apply(definition, intent)
  if (!outcome.ok || ALWAYS_SAFE.has(intent.type)) {
    if (outcome.ok && intent.type === 'move-nodes') {
      // Positions never change the issues, so the next definition inherits them.
      const known = validated.get(definition)
      if (known) validated.set(outcome.definition, known)
    }
    return outcome
  }
  const broken = introducedStructuralIssue(definition, outcome.definition)
  if (broken) return reject(broken.code, broken.params ?? {})
  return outcome
}
