import type { Effect } from '@replyflow/flow'

/** One line of what a run did (or, dry, would have done): who was assigned, who was mailed. */
export interface EffectLine {
  kind: 'assign' | 'deliver'
  nodeId: string
  /** People as the admin knows them: agent names, with the address a message goes to. */
  people: string[]
}

/** An agent id as a person: their name, else the id itself (an agent removed since). */
const nameOf = (agentNames: ReadonlyMap<string, string>, id: string) => agentNames.get(id) ?? id

/** A run's effects in the words of the run view, with agents named rather than numbered. */
export function effectLines(effects: readonly Effect[], agentNames: ReadonlyMap<string, string>): EffectLine[] {
  return effects.map((effect) =>
    effect.type === 'assign_agents'
      ? { kind: 'assign', nodeId: effect.nodeId, people: effect.agentIds.map((id) => nameOf(agentNames, id)) }
      : { kind: 'deliver', nodeId: effect.nodeId, people: effect.recipients.map((recipient) => `${recipient.name || nameOf(agentNames, recipient.agentId)} <${recipient.address}>`) },
  )
}

/** A step's outputs for display: agent ids an assignment lists are shown by name. */
export function readableOutputs(outputs: Record<string, unknown>, agentNames: ReadonlyMap<string, string>): Record<string, unknown> {
  const assignees = outputs.assignees
  if (!Array.isArray(assignees)) return outputs
  return { ...outputs, assignees: assignees.map((id) => (typeof id === 'string' ? nameOf(agentNames, id) : id)) }
}
