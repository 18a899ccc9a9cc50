import type { FlowDefinition, NodeResult, RunError } from '@replyflow/flow'

/** A step as the API reports it (`GET runs/:id`). */
export interface RunStepView {
  nodeId: string
  result: NodeResult | null
  outputs: Record<string, unknown>
  error: RunError | null
  startedAt: string
  finishedAt: string | null
}

/** What the canvas shows on a node the run went through. */
export interface NodeRunMark {
  order: number
  result: NodeResult | null
  durationMs: number | null
  outputs: Record<string, unknown>
  error: RunError | null
}

/** A run's path over its definition: the nodes it went through and the edges it followed. */
export interface RunOverlay {
  nodes: Map<string, NodeRunMark>
  edges: Set<string>
}

function duration(step: RunStepView): number | null {
  if (!step.finishedAt) return null
  const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt)
  return Number.isFinite(ms) ? Math.max(0, ms) : null
}

/** Marks each step's node, and each edge taken from one step to the next by the step's result. */
export function runOverlay(definition: FlowDefinition, steps: readonly RunStepView[]): RunOverlay {
  const nodes = new Map<string, NodeRunMark>()
  const edges = new Set<string>()
  steps.forEach((step, order) => {
    nodes.set(step.nodeId, { order: order + 1, result: step.result, durationMs: duration(step), outputs: step.outputs, error: step.error })
    const next = steps[order + 1]
    if (!next || !step.result) return
    const taken = definition.edges.find((edge) => edge.source === step.nodeId && edge.result === step.result && edge.target === next.nodeId)
    if (taken) edges.add(taken.id)
  })
  return { nodes, edges }
}
