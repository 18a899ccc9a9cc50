import type { TSchema } from 'typebox'
import Value from 'typebox/value'
import { NODE_CATALOG } from './catalog.ts'
import { FlowDefinitionSchema, NODE_TYPES, type FlowDefinition, type FlowEdge, type FlowNode, type NodeType } from './definition.ts'
import { checkExpression } from './expression.ts'
import { VARIABLE_PATTERN, isStandardField } from './fields.ts'

/** Every rule a flow can break, one code each. */
export const FLOW_ISSUES = {
  schema: 'FLOW_SCHEMA',
  nodeConfig: 'FLOW_NODE_CONFIG',
  duplicateNodeId: 'FLOW_DUPLICATE_NODE_ID',
  duplicateEdgeId: 'FLOW_DUPLICATE_EDGE_ID',
  startCount: 'FLOW_START_COUNT',
  noReachableEnd: 'FLOW_NO_REACHABLE_END',
  edgeUnknownNode: 'FLOW_EDGE_UNKNOWN_NODE',
  edgeResult: 'FLOW_EDGE_RESULT',
  edgeDuplicateResult: 'FLOW_EDGE_DUPLICATE_RESULT',
  unreachable: 'FLOW_NODE_UNREACHABLE',
  missingEdge: 'FLOW_MISSING_EDGE',
  cycle: 'FLOW_CYCLE',
  varPrefix: 'FLOW_VAR_PREFIX',
  varDuplicate: 'FLOW_VAR_DUPLICATE',
  unknownField: 'FLOW_FIELD_UNKNOWN',
  exprSyntax: 'FLOW_EXPR_SYNTAX',
  exprNotVariable: 'FLOW_EXPR_NOT_VAR',
  exprUnknownVariable: 'FLOW_EXPR_UNKNOWN_VAR',
  exprForbidden: 'FLOW_EXPR_FORBIDDEN',
  channelMismatch: 'FLOW_CHANNEL_MISMATCH',
  markup: 'FLOW_MARKUP',
} as const
export type FlowIssueCode = (typeof FLOW_ISSUES)[keyof typeof FLOW_ISSUES]

/**
 * One broken rule. `params` carries the names in the message so the editor can
 * say it again in the user's language.
 */
export interface ValidationIssue {
  code: FlowIssueCode
  nodeId?: string
  edgeId?: string
  message: string
  params?: Record<string, string>
}

type Report = (issue: ValidationIssue) => void

function describe(node: FlowNode): string {
  return `${NODE_CATALOG[node.type].label.en} "${node.id}"`
}

/** Schema errors, one per problem: the instance path and a readable message. */
function schemaErrors(schema: TSchema, value: unknown): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = []
  // A union of literals fails with one `const` error per option, then `anyOf`: fold them into one.
  let union: { path: string; options: string[] } | undefined
  const endUnion = (complete: boolean) => {
    if (!union) return
    // TypeBox stops at 8 errors (its global `maxErrors`), possibly before listing every option.
    const message = complete ? `must be one of ${union.options.join(', ')}` : 'must be one of the allowed values'
    errors.push({ path: union.path, message })
    union = undefined
  }
  for (const error of Value.Errors(schema, value)) {
    // TypeBox reports `additionalProperties` twice; the keyword entry names the property.
    if (error.keyword === 'boolean') continue
    if (error.keyword === 'const' && /\/anyOf\/\d+$/.test(error.schemaPath)) {
      if (union?.path !== error.instancePath) endUnion(false)
      union ??= { path: error.instancePath, options: [] }
      union.options.push(String(error.params.allowedValue))
    } else if (error.keyword === 'anyOf' && union?.path === error.instancePath) {
      endUnion(true)
    } else {
      endUnion(false)
      errors.push({ path: error.instancePath, message: error.message })
    }
  }
  endUnion(false)
  return errors
}

function schemaIssues(input: unknown): ValidationIssue[] {
  return schemaErrors(FlowDefinitionSchema, input)
    .slice(0, 50)
    .map(({ path, message }) => ({ code: FLOW_ISSUES.schema, message: `${path || '/'}: ${message}`, params: { path: path || '/' } }))
}

/** Variables each node can rely on: defined by a Get customer data node on every path from start. */
export function variablesInScope(definition: FlowDefinition): Map<string, Set<string>> {
  const nodes = new Map(definition.nodes.map((node) => [node.id, node]))
  const start = definition.nodes.find((node) => node.type === 'start')
  const incoming = new Map<string, string[]>()
  for (const edge of definition.edges) {
    if (!nodes.has(edge.source) || !nodes.has(edge.target)) continue
    incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge.source])
  }
  const outputsOf = (node: FlowNode): string[] =>
    node.type === 'get_customer_data' && Array.isArray(node.config.outputs)
      ? node.config.outputs.flatMap((o: unknown) => {
          const variable = (o as { variable?: unknown } | null)?.variable
          return typeof variable === 'string' ? [variable] : []
        })
      : []

  // Must-analysis by fixpoint: start knows nothing, everything else starts at "all"
  // and shrinks to the intersection over its predecessors. Terminates on cycles too.
  const all = new Set(definition.nodes.flatMap(outputsOf))
  const scopeIn = new Map<string, Set<string>>()
  for (const node of definition.nodes) scopeIn.set(node.id, node === start ? new Set() : new Set(all))
  let changed = true
  while (changed) {
    changed = false
    for (const node of definition.nodes) {
      if (node === start) continue
      const preds = incoming.get(node.id) ?? []
      let next: Set<string> | undefined
      for (const predId of preds) {
        const pred = nodes.get(predId) as FlowNode
        const out = new Set([...(scopeIn.get(predId) ?? []), ...outputsOf(pred)])
        next = next === undefined ? out : new Set([...next].filter((v) => out.has(v)))
      }
      next ??= new Set<string>()
      const current = scopeIn.get(node.id) as Set<string>
      if (next.size !== current.size || [...next].some((v) => !current.has(v))) {
        scopeIn.set(node.id, next)
        changed = true
      }
    }
  }
  return scopeIn
}

function checkIdsAndEdges(def: FlowDefinition, report: Report): void {
  const seenNodes = new Set<string>()
  for (const node of def.nodes) {
    if (seenNodes.has(node.id)) {
      report({ code: FLOW_ISSUES.duplicateNodeId, nodeId: node.id, message: `node id "${node.id}" is used more than once`, params: { id: node.id } })
    }
    seenNodes.add(node.id)
  }
  const nodes = new Map(def.nodes.map((node) => [node.id, node]))
  const seenEdges = new Set<string>()
  const seenResults = new Set<string>()
  for (const edge of def.edges) {
    if (seenEdges.has(edge.id)) {
      report({ code: FLOW_ISSUES.duplicateEdgeId, edgeId: edge.id, message: `edge id "${edge.id}" is used more than once`, params: { id: edge.id } })
    }
    seenEdges.add(edge.id)
    for (const end of [edge.source, edge.target]) {
      if (!nodes.has(end)) {
        report({ code: FLOW_ISSUES.edgeUnknownNode, edgeId: edge.id, message: `edge "${edge.id}" points at missing node "${end}"`, params: { id: end } })
      }
    }
    const source = nodes.get(edge.source)
    if (!source) continue
    if (!NODE_CATALOG[source.type].results.includes(edge.result)) {
      report({
        code: FLOW_ISSUES.edgeResult,
        edgeId: edge.id,
        nodeId: source.id,
        message: `${describe(source)} never produces ${edge.result}`,
        params: { result: edge.result },
      })
    }
    const key = `${edge.source}\u0000${edge.result}`
    if (seenResults.has(key)) {
      report({
        code: FLOW_ISSUES.edgeDuplicateResult,
        edgeId: edge.id,
        nodeId: source.id,
        message: `${describe(source)} has more than one ${edge.result} edge`,
        params: { result: edge.result },
      })
    }
    seenResults.add(key)
  }
}

function checkGraph(def: FlowDefinition, report: Report): void {
  const starts = def.nodes.filter((node) => node.type === 'start')
  if (starts.length !== 1) {
    report({ code: FLOW_ISSUES.startCount, message: `a flow needs exactly one start node, not ${starts.length}`, params: { count: String(starts.length) } })
  }
  const nodes = new Map(def.nodes.map((node) => [node.id, node]))
  const outgoing = new Map<string, FlowEdge[]>()
  for (const edge of def.edges) {
    if (nodes.has(edge.target)) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge])
  }

  for (const node of def.nodes) {
    const results = new Set((outgoing.get(node.id) ?? []).map((edge) => edge.result))
    for (const required of NODE_CATALOG[node.type].requiredResults) {
      if (!results.has(required)) {
        report({
          code: FLOW_ISSUES.missingEdge,
          nodeId: node.id,
          message: `${describe(node)} needs a ${required} edge`,
          params: { result: required },
        })
      }
    }
  }

  const start = starts[0]
  if (!start) return
  const reachable = new Set<string>([start.id])
  const queue = [start.id]
  while (queue.length > 0) {
    const id = queue.shift() as string
    for (const edge of outgoing.get(id) ?? []) {
      if (!reachable.has(edge.target)) {
        reachable.add(edge.target)
        queue.push(edge.target)
      }
    }
  }
  for (const node of def.nodes) {
    if (!reachable.has(node.id)) {
      report({ code: FLOW_ISSUES.unreachable, nodeId: node.id, message: `${describe(node)} cannot be reached from start` })
    }
  }
  if (!def.nodes.some((node) => node.type === 'end' && reachable.has(node.id))) {
    report({ code: FLOW_ISSUES.noReachableEnd, message: 'no end node can be reached from start' })
  }

  // Depth-first search with colours; each back edge closes a cycle.
  const colour = new Map<string, 'grey' | 'black'>()
  const visit = (id: string): void => {
    colour.set(id, 'grey')
    for (const edge of outgoing.get(id) ?? []) {
      const state = colour.get(edge.target)
      if (state === 'grey') {
        report({ code: FLOW_ISSUES.cycle, edgeId: edge.id, nodeId: edge.source, message: `edge "${edge.id}" closes a loop back to "${edge.target}"` })
      } else if (state === undefined) {
        visit(edge.target)
      }
    }
    colour.set(id, 'black')
  }
  for (const node of def.nodes) if (!colour.has(node.id)) visit(node.id)
}

// Markup has no business in a label or a setting: refusing it keeps a flow
// (typed, saved or imported) from carrying script to any screen that shows it.
// CEL expressions are exempt: `a<b` is a comparison there, and the CEL parser checks them.
// Event handlers (`onerror=`) only act inside a tag, which the first rule already refuses.
const MARKUP = /<\s*\/?\s*[a-z!?]|javascript:/i
const MARKUP_EXEMPT_KEYS = new Set(['expression'])

/** Every string of a node's label and settings (keys too), but its expressions. */
function textsOf(node: FlowNode): string[] {
  const texts = (value: unknown, depth: number): string[] => {
    if (typeof value === 'string') return [value]
    if (depth > 8 || value === null || typeof value !== 'object') return []
    return Object.entries(value).flatMap(([key, item]) => (MARKUP_EXEMPT_KEYS.has(key) ? [key] : [key, ...texts(item, depth + 1)]))
  }
  return [node.label ?? '', ...texts(node.config, 0)]
}

function checkNodes(def: FlowDefinition, report: Report): void {
  const variableOwners = new Map<string, string>()
  const scopes = variablesInScope(def)
  for (const node of def.nodes) {
    const kind = NODE_CATALOG[node.type]
    if (textsOf(node).some((text) => MARKUP.test(text))) {
      report({ code: FLOW_ISSUES.markup, nodeId: node.id, message: `${describe(node)}: its label or settings carry markup (an HTML tag or a javascript: link)` })
    }
    const configErrors = schemaErrors(kind.configSchema, node.config)
    if (configErrors.length > 0) {
      for (const error of configErrors.slice(0, 5)) {
        const path = `config${error.path}`
        report({ code: FLOW_ISSUES.nodeConfig, nodeId: node.id, message: `${describe(node)}: ${path} ${error.message}`, params: { path } })
      }
      continue
    }
    if (node.type === 'get_customer_data') {
      for (const output of node.config.outputs as { variable: string; field: string; category?: string }[]) {
        if (!VARIABLE_PATTERN.test(output.variable)) {
          report({
            code: FLOW_ISSUES.varPrefix,
            nodeId: node.id,
            message: `output variable "${output.variable}" must start with var_ and use only a-z, 0-9 and _`,
            params: { variable: output.variable },
          })
        }
        const owner = variableOwners.get(output.variable)
        if (owner !== undefined) {
          report({
            code: FLOW_ISSUES.varDuplicate,
            nodeId: node.id,
            message: `variable "${output.variable}" is already an output of "${owner}"`,
            params: { variable: output.variable, owner },
          })
        } else variableOwners.set(output.variable, node.id)
        if (output.category === 'standard' && !isStandardField(output.field)) {
          report({ code: FLOW_ISSUES.unknownField, nodeId: node.id, message: `"${output.field}" is not a standard field`, params: { field: output.field } })
        }
      }
    }
    if (node.type === 'logic') {
      const scope = scopes.get(node.id) ?? new Set<string>()
      for (const problem of checkExpression(String(node.config.expression), scope)) {
        if (problem.kind === 'not_variable') {
          report({
            code: FLOW_ISSUES.exprNotVariable,
            nodeId: node.id,
            message: `"${problem.name}" is not a var_ variable`,
            params: { variable: problem.name },
          })
        } else if (problem.kind === 'unknown_variable') {
          report({
            code: FLOW_ISSUES.exprUnknownVariable,
            nodeId: node.id,
            message: `"${problem.name}" is not set by a Get customer data node on every path to this node`,
            params: { variable: problem.name },
          })
        } else if (problem.kind === 'forbidden') {
          report({
            code: FLOW_ISSUES.exprForbidden,
            nodeId: node.id,
            message: `${problem.name}() is not allowed: use contains, startsWith or endsWith`,
            params: { function: problem.name },
          })
        } else {
          report({ code: FLOW_ISSUES.exprSyntax, nodeId: node.id, message: `expression: ${problem.message}`, params: { detail: problem.message } })
        }
      }
    }
    if (node.type === 'message_conversion' && node.config.output !== def.channel) {
      report({
        code: FLOW_ISSUES.channelMismatch,
        nodeId: node.id,
        message: `an ${def.channel} flow's message conversion must output ${def.channel}`,
        params: { channel: def.channel, output: String(node.config.output) },
      })
    }
  }
}

/**
 * Checks a flow definition against every rule and returns all issues at once
 * (empty when the flow can be published). Never throws, whatever the input.
 *
 * @example
 * validateFlow(JSON.parse(body)) // [{ code: 'FLOW_VAR_PREFIX', nodeId: 'customer', message: '…' }]
 */
export function validateFlow(input: unknown): ValidationIssue[] {
  try {
    const shape = schemaIssues(input)
    if (shape.length > 0) return shape
    const def = input as FlowDefinition
    const issues: ValidationIssue[] = []
    const report: Report = (issue) => issues.push(issue)
    checkIdsAndEdges(def, report)
    checkGraph(def, report)
    checkNodes(def, report)
    return issues
  } catch (error) {
    // A bug here must not take the caller down; report it as an issue instead.
    return [{ code: FLOW_ISSUES.schema, message: `could not validate: ${error instanceof Error ? error.message : String(error)}` }]
  }
}

/** Narrows an unknown value to a definition that passes every rule. */
export function isValidFlow(input: unknown): input is FlowDefinition {
  return validateFlow(input).length === 0
}

export function isNodeType(value: unknown): value is NodeType {
  return typeof value === 'string' && (NODE_TYPES as readonly string[]).includes(value)
}
