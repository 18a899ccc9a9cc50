import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

/** Delivery channels a flow can be written for. */
export const CHANNELS = ['email', 'sms'] as const
export type Channel = (typeof CHANNELS)[number]

/** Every node kind the catalog knows. */
export const NODE_TYPES = [
  'start',
  'get_customer_data',
  'logic',
  'assign_all_agents',
  'message_conversion',
  'end',
] as const
export type NodeType = (typeof NODE_TYPES)[number]

/** What a node's execution can produce; each outgoing edge is labelled with one. */
export const NODE_RESULTS = ['SUCCESS', 'FALSE', 'FAILURE'] as const
export type NodeResult = (typeof NODE_RESULTS)[number]

/** When a flow runs (DESIGN.md §4). */
export const FLOW_TRIGGERS = ['email.received', 'message.offline', 'manual'] as const
export type FlowTrigger = (typeof FLOW_TRIGGERS)[number]

/** Limits that keep a definition small enough to validate and render quickly. */
export const FLOW_LIMITS = {
  nodes: 1000,
  edges: 3000,
  outputsPerNode: 20,
  expressionLength: 2000,
  labelLength: 120,
} as const

const literals = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((value) => Type.Literal(value)))

/** Ids are short and URL-safe so they can travel in job ids and DOM attributes. */
export const IdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })

export const PositionSchema = Type.Object(
  { x: Type.Number(), y: Type.Number() },
  { additionalProperties: false },
)

export const FlowNodeSchema = Type.Object(
  {
    id: IdSchema,
    type: literals(NODE_TYPES),
    position: PositionSchema,
    label: Type.Optional(Type.String({ maxLength: FLOW_LIMITS.labelLength })),
    // Checked per node type against the catalog, so the issue can name the node.
    config: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
)

export const FlowEdgeSchema = Type.Object(
  {
    id: IdSchema,
    source: IdSchema,
    target: IdSchema,
    result: literals(NODE_RESULTS),
  },
  { additionalProperties: false },
)

/** JSON Schema of a flow definition, `schemaVersion: 1` (DESIGN.md §4). */
export const FlowDefinitionSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    channel: literals(CHANNELS),
    nodes: Type.Array(FlowNodeSchema, { maxItems: FLOW_LIMITS.nodes }),
    edges: Type.Array(FlowEdgeSchema, { maxItems: FLOW_LIMITS.edges }),
  },
  { additionalProperties: false },
)

export type Position = Static<typeof PositionSchema>
export type FlowNode = Omit<Static<typeof FlowNodeSchema>, 'type'> & { type: NodeType }
export type FlowEdge = Omit<Static<typeof FlowEdgeSchema>, 'result'> & { result: NodeResult }
export type FlowDefinition = Omit<Static<typeof FlowDefinitionSchema>, 'channel' | 'nodes' | 'edges'> & {
  channel: Channel
  nodes: FlowNode[]
  edges: FlowEdge[]
}

/**
 * Whether a value has a definition's shape (the JSON Schema alone): safe to read
 * as a `FlowDefinition`, though it may still break the graph and node rules
 * `validateFlow` checks.
 *
 * @example
 * const value: unknown = JSON.parse(text)
 * if (isFlowDefinitionShape(value)) showIssues(validateFlow(value))
 */
export function isFlowDefinitionShape(value: unknown): value is FlowDefinition {
  return Value.Check(FlowDefinitionSchema, value)
}

/** A definition with only a start node: what a new flow's draft holds. */
export function emptyFlow(channel: Channel): FlowDefinition {
  return {
    schemaVersion: 1,
    channel,
    nodes: [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} }],
    edges: [],
  }
}
