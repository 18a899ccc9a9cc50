import { NODE_CATALOG } from './catalog.ts'
import type { AgentSnapshot, RunContext } from './context.ts'
import type { Channel, FlowDefinition, FlowEdge, FlowNode, NodeResult, NodeType } from './definition.ts'
import { compileExpression, type CompiledExpression } from './expression.ts'
import { isStandardField, type FieldCategory } from './fields.ts'

/** Codes a run or a step can fail with. */
export const RUN_ERRORS = {
  noStart: 'RUN_NO_START',
  noEdge: 'RUN_NO_EDGE',
  unknownNode: 'RUN_UNKNOWN_NODE',
  stepLimit: 'RUN_STEP_LIMIT',
  expression: 'RUN_EXPRESSION',
  noAgents: 'RUN_NO_AGENTS',
  noRecipients: 'RUN_NO_RECIPIENTS',
  nodeFailed: 'RUN_NODE_FAILED',
} as const
export type RunErrorCode = (typeof RUN_ERRORS)[keyof typeof RUN_ERRORS]

export interface RunError {
  code: RunErrorCode
  message: string
  nodeId?: string
}

/** One executed node, as recorded on the run. */
export interface Step {
  nodeId: string
  type: NodeType
  /** null for End, which has no outgoing result. */
  result: NodeResult | null
  outputs: Record<string, unknown>
  error: RunError | null
  startedAt: string
  finishedAt: string
}

/** A recipient of a delivered message: an agent and the address on the delivery channel. */
export interface Recipient {
  agentId: string
  name: string
  address: string
}

/** Side effects a run asks its host to perform; keyed by (run, node) so hosts apply each once. */
export type Effect =
  | { type: 'assign_agents'; nodeId: string; agentIds: string[] }
  | {
      type: 'deliver_message'
      nodeId: string
      channel: Channel
      recipients: Recipient[]
      message: { subject: string; text: string }
    }

export interface RunOutcome {
  status: 'succeeded' | 'failed'
  steps: Step[]
  effects: Effect[]
  /** `var_` variables at the end of the run. */
  variables: Record<string, unknown>
  error: RunError | null
}

export interface RunOptions {
  /** Clock, injected so traces are deterministic: milliseconds since the epoch. */
  now: () => number
  /** Stops runaway runs; a valid flow never needs more steps than it has nodes. */
  maxSteps?: number
  /** Resume a failed run at this node, with the variables it had gathered. */
  resume?: { nodeId: string; variables: Record<string, unknown> }
}

interface NodeOutcome {
  result: NodeResult | null
  outputs?: Record<string, unknown>
  effect?: Effect
  error?: RunError
}

/** Mutable state of one run: the engine's only state, never shared between runs. */
interface RunState {
  context: RunContext
  variables: Record<string, unknown>
  assignees: string[]
}

const SMS_LIMIT = 160

/**
 * Caches compiled expressions per node object: workers keep immutable versions
 * in memory, so each expression is compiled once. Keyed on the source too, in
 * case a caller edits a node in place.
 */
const compiled = new WeakMap<FlowNode, CompiledExpression>()

function expressionOf(node: FlowNode): CompiledExpression {
  const source = String(node.config.expression ?? '')
  let expression = compiled.get(node)
  if (expression?.source !== source) {
    expression = compileExpression(source)
    compiled.set(node, expression)
  }
  return expression
}

function readField(context: RunContext, state: RunState, field: string, category?: FieldCategory): unknown {
  if (category !== 'custom' && isStandardField(field)) {
    switch (field) {
      case 'customer.name':
        return context.customer.name
      case 'customer.email':
        return context.customer.email
      case 'customer.phone':
        return context.customer.phone
      case 'message.content':
        return context.message.content
      case 'message.subject':
        return context.message.subject
      case 'message.channel':
        return context.message.channel
      case 'conversation.assignees':
        return [...state.assignees]
    }
  }
  if (category === 'standard') return null
  // Own fields only: a field named `constructor` or `__proto__` must not read the object's prototype.
  return Object.hasOwn(context.customer.custom, field) ? (context.customer.custom[field] ?? null) : null
}

function recipientsFor(state: RunState, channel: Channel): Recipient[] {
  const byId = new Map(state.context.agents.map((agent) => [agent.id, agent]))
  const assigned = state.assignees.map((id) => byId.get(id)).filter((a): a is AgentSnapshot => a !== undefined)
  // No customer message goes unseen: without assignees, every agent receives it (DESIGN.md §4).
  const agents = assigned.length > 0 ? assigned : state.context.agents
  return agents.flatMap((agent) => {
    const address = channel === 'email' ? agent.email : agent.phone
    return address ? [{ agentId: agent.id, name: agent.name, address }] : []
  })
}

function convertMessage(context: RunContext, channel: Channel): { subject: string; text: string } {
  const who = context.customer.name || context.customer.email || context.customer.phone || 'customer'
  const subject = context.message.subject?.trim() || `Message from ${who}`
  if (channel === 'email') return { subject, text: context.message.content }
  const text = `${who}: ${context.message.content.replace(/\s+/g, ' ').trim()}`
  if (text.length <= SMS_LIMIT) return { subject, text }
  // Drop a high surrogate left by the cut: half an emoji cannot be encoded for sending.
  const cut = text.slice(0, SMS_LIMIT - 1).replace(/[\uD800-\uDBFF]$/, '')
  return { subject, text: `${cut}…` }
}

function executeNode(node: FlowNode, state: RunState): NodeOutcome {
  switch (node.type) {
    case 'start':
      return { result: 'SUCCESS' }
    case 'end':
      return { result: null }
    case 'get_customer_data': {
      const outputs: Record<string, unknown> = {}
      const specs = (node.config.outputs ?? []) as { variable: string; field: string; category?: FieldCategory }[]
      for (const spec of specs) outputs[spec.variable] = readField(state.context, state, spec.field, spec.category)
      Object.assign(state.variables, outputs)
      return { result: 'SUCCESS', outputs }
    }
    case 'logic': {
      let value: unknown
      try {
        value = expressionOf(node).evaluate(state.variables)
      } catch (error) {
        const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
        return { result: 'FAILURE', error: { code: RUN_ERRORS.expression, message, nodeId: node.id } }
      }
      if (typeof value !== 'boolean') {
        const message = `expression gave ${typeof value}, not true or false`
        return { result: 'FAILURE', error: { code: RUN_ERRORS.expression, message, nodeId: node.id } }
      }
      return { result: value ? 'SUCCESS' : 'FALSE', outputs: { value } }
    }
    case 'assign_all_agents': {
      const agentIds = state.context.agents.map((agent) => agent.id)
      if (agentIds.length === 0) {
        return { result: 'FAILURE', error: { code: RUN_ERRORS.noAgents, message: 'there are no agents to assign', nodeId: node.id } }
      }
      state.assignees = agentIds
      return { result: 'SUCCESS', outputs: { assignees: agentIds }, effect: { type: 'assign_agents', nodeId: node.id, agentIds } }
    }
    case 'message_conversion': {
      const channel = node.config.output === 'sms' ? 'sms' : 'email'
      const recipients = recipientsFor(state, channel)
      if (recipients.length === 0) {
        const message = `no agent has an address for ${channel}`
        return { result: 'FAILURE', error: { code: RUN_ERRORS.noRecipients, message, nodeId: node.id } }
      }
      const message = convertMessage(state.context, channel)
      return {
        result: 'SUCCESS',
        outputs: { channel, recipients: recipients.map((r) => r.address) },
        effect: { type: 'deliver_message', nodeId: node.id, channel, recipients, message },
      }
    }
  }
}

/**
 * Steps a run through a definition from Start (or a resume point) to End,
 * following the edge whose result matches each node's result. Performs no I/O:
 * it returns the trace and the effects for the host to apply.
 *
 * @example
 * const outcome = runFlow(definition, context, { now: Date.now })
 * outcome.status // 'succeeded'
 * outcome.effects // [{ type: 'deliver_message', ... }]
 */
export function runFlow(definition: FlowDefinition, context: RunContext, options: RunOptions): RunOutcome {
  const nodes = new Map(definition.nodes.map((node) => [node.id, node]))
  const edges = new Map<string, FlowEdge>()
  for (const edge of definition.edges) edges.set(`${edge.source}\u0000${edge.result}`, edge)

  const state: RunState = {
    context,
    variables: { ...options.resume?.variables },
    assignees: [...context.conversation.assignees],
  }
  const steps: Step[] = []
  const effects: Effect[] = []
  const maxSteps = options.maxSteps ?? Math.max(definition.nodes.length, 1) * 2
  const finish = (error: RunError | null): RunOutcome => ({
    status: error ? 'failed' : 'succeeded',
    steps,
    effects,
    variables: state.variables,
    error,
  })

  const firstId = options.resume?.nodeId ?? definition.nodes.find((node) => node.type === 'start')?.id
  if (!firstId) return finish({ code: RUN_ERRORS.noStart, message: 'the flow has no start node' })
  let node = nodes.get(firstId)
  if (!node) return finish({ code: RUN_ERRORS.unknownNode, message: `no node "${firstId}"`, nodeId: firstId })

  while (steps.length < maxSteps) {
    const startedAt = new Date(options.now()).toISOString()
    const outcome = executeNode(node, state)
    steps.push({
      nodeId: node.id,
      type: node.type,
      result: outcome.result,
      outputs: outcome.outputs ?? {},
      error: outcome.error ?? null,
      startedAt,
      finishedAt: new Date(options.now()).toISOString(),
    })
    if (outcome.effect) effects.push(outcome.effect)
    if (outcome.result === null) return finish(null)

    const edge = edges.get(`${node.id}\u0000${outcome.result}`)
    const next = edge && nodes.get(edge.target)
    if (!next) {
      if (outcome.error) return finish(outcome.error)
      const label = NODE_CATALOG[node.type].label.en
      return finish({ code: RUN_ERRORS.noEdge, message: `${label} "${node.id}" has no ${outcome.result} edge`, nodeId: node.id })
    }
    node = next
  }
  return finish({ code: RUN_ERRORS.stepLimit, message: `stopped after ${maxSteps} steps`, nodeId: node.id })
}
