import { createHash } from 'node:crypto'
import {
  deleteFlow,
  disableFlows,
  enabledFlowsWithTrigger,
  findFlow,
  findVersion,
  findVersionById,
  insertFlow,
  insertVersion,
  listVersions,
  newId,
  nextVersionNumber,
  updateFlow,
  type DbOrTx,
  type FlowVersionRow,
  type FlowVersionSummary,
  type FlowWithVersion,
} from '@replyflow/db'
import {
  canonicalJson,
  diffFlows,
  emptyFlow,
  isExclusiveTrigger,
  validateFlow,
  type Channel,
  type FlowDefinition,
  type FlowDiff,
  type FlowTrigger,
  type ValidationIssue,
} from '@replyflow/flow'
import type { AppDeps } from '../deps.ts'
import { ApiError, conflict, notFound, unprocessable } from '../errors.ts'

type Deps = Pick<AppDeps, 'db' | 'now'>

/** A flow and the flows enabling it displaced. */
export interface FlowChange {
  flow: FlowWithVersion
  disabledFlows: { id: string; name: string }[]
}

const iso = (deps: Deps) => new Date(deps.now()).toISOString()

/** The flow, or 404. */
export function getFlow(db: DbOrTx, id: string): FlowWithVersion {
  const flow = findFlow(db, id)
  if (!flow) throw notFound('flow', id)
  return flow
}

/** Creates a disabled flow whose draft holds only a Start node. */
export function createFlow(deps: Deps, input: { name: string; channel: Channel; trigger: FlowTrigger; draft?: FlowDefinition }): FlowWithVersion {
  const now = iso(deps)
  const id = newId(deps.now())
  insertFlow(deps.db, {
    id,
    name: input.name,
    channel: input.channel,
    trigger: input.trigger,
    enabled: false,
    draft: input.draft ?? emptyFlow(input.channel),
    draftUpdatedAt: now,
    createdAt: now,
    updatedAt: now,
  })
  return getFlow(deps.db, id)
}

/**
 * Renames a flow, changes its trigger or enables/disables it; an enabled flow
 * (already, or by this patch) displaces the other enabled flow of its trigger.
 */
export function updateFlowSettings(deps: Deps, id: string, patch: { name?: string; trigger?: FlowTrigger; enabled?: boolean }): FlowChange {
  return deps.db.transaction((tx) => {
    const flow = getFlow(tx, id)
    if (patch.enabled && !flow.activeVersionId) {
      throw conflict('API_FLOW_NOT_PUBLISHED', `flow "${flow.name}" has no published version to run; publish it first`)
    }
    const now = iso(deps)
    updateFlow(tx, id, { ...patch, updatedAt: now })
    const enabled = patch.enabled ?? flow.enabled
    const disabledFlows = enabled ? displaceOthers(tx, id, patch.trigger ?? flow.trigger, now) : []
    return { flow: getFlow(tx, id), disabledFlows }
  })
}

/** Deletes a flow with its versions and runs. */
export function removeFlow(deps: Deps, id: string): void {
  if (!deleteFlow(deps.db, id)) throw notFound('flow', id)
}

/** Every issue of a definition for this flow: the validator's, plus a channel that isn't the flow's. */
export function issuesOf(flow: { channel: Channel }, definition: FlowDefinition): ValidationIssue[] {
  const issues = validateFlow(definition)
  if (definition.channel !== flow.channel) {
    issues.unshift({
      code: 'FLOW_CHANNEL_MISMATCH',
      message: `the definition is for ${definition.channel} but the flow is a ${flow.channel} flow`,
      params: { channel: definition.channel, expected: flow.channel },
    })
  }
  return issues
}

/** 422 `invalid_flow` with every issue, unless the definition is valid for this flow (as publishing checks it). */
export function assertValidDefinition(flow: { channel: Channel }, definition: FlowDefinition): void {
  const issues = issuesOf(flow, definition)
  if (issues.length > 0) {
    throw new ApiError(422, 'invalid_flow', `the flow has ${issues.length} problem${issues.length === 1 ? '' : 's'}; the first: ${issues[0]?.message}`, issues)
  }
}

/**
 * Optimistic concurrency for the draft: a writer that says which
 * `draftUpdatedAt` it last saw (`baseUpdatedAt`) is refused with 409
 * `API_DRAFT_CONFLICT` (`details.draftUpdatedAt`) when the draft changed since,
 * e.g. in another tab. Without a base the write goes through (API clients).
 */
function assertDraftBase(flow: FlowWithVersion, baseUpdatedAt: string | undefined): void {
  if (baseUpdatedAt !== undefined && baseUpdatedAt !== flow.draftUpdatedAt) {
    throw conflict('API_DRAFT_CONFLICT', `the draft was changed elsewhere at ${flow.draftUpdatedAt}; load it again before saving`, {
      draftUpdatedAt: flow.draftUpdatedAt,
    })
  }
}

/** A new `draftUpdatedAt`, always after the previous one, so two saves in one millisecond still differ. */
function nextDraftStamp(previous: string, now: string): string {
  const before = Date.parse(previous)
  return Number.isNaN(before) || Date.parse(now) > before ? now : new Date(before + 1).toISOString()
}

/** Saves the draft, valid or not, and says what is wrong with it; 409 `API_DRAFT_CONFLICT` when `baseUpdatedAt` is stale. */
export function saveDraft(
  deps: Deps,
  id: string,
  definition: FlowDefinition,
  baseUpdatedAt?: string,
): { definition: FlowDefinition; issues: ValidationIssue[]; draftUpdatedAt: string } {
  return deps.db.transaction((tx) => {
    const flow = getFlow(tx, id)
    if (definition.channel !== flow.channel) {
      throw unprocessable('API_FLOW_CHANNEL', `the draft is for ${definition.channel} but the flow is a ${flow.channel} flow`)
    }
    assertDraftBase(flow, baseUpdatedAt)
    const now = iso(deps)
    const draftUpdatedAt = nextDraftStamp(flow.draftUpdatedAt, now)
    updateFlow(tx, id, { draft: definition, draftUpdatedAt, updatedAt: now })
    return { definition, issues: issuesOf(flow, definition), draftUpdatedAt }
  })
}

/** sha256 of the canonical JSON of a definition: equal definitions, equal checksums. */
export function checksumOf(definition: FlowDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex')
}

/**
 * Publishes the draft (or `definition`, saved as the draft first) as the next
 * immutable version, makes it active and enables the flow. An invalid flow is
 * refused with 422 `invalid_flow` listing every issue, one equal (by checksum)
 * to the active version with 409 `API_NO_CHANGES`, a `definition` whose
 * `baseUpdatedAt` is stale with 409 `API_DRAFT_CONFLICT`; then nothing is written.
 */
export function publish(
  deps: Deps,
  id: string,
  input: { name?: string; description?: string; definition?: FlowDefinition; baseUpdatedAt?: string; userId: string | null },
): { version: FlowVersionRow; disabledFlows: { id: string; name: string }[]; draftUpdatedAt: string } {
  return deps.db.transaction((tx) => {
    const flow = getFlow(tx, id)
    const now = iso(deps)
    const definition = input.definition ?? flow.draft
    if (input.definition) assertDraftBase(flow, input.baseUpdatedAt)
    assertValidDefinition(flow, definition)
    const checksum = checksumOf(definition)
    const active = flow.activeVersionId ? findVersionById(tx, flow.activeVersionId) : undefined
    if (active && active.checksum === checksum) {
      throw conflict('API_NO_CHANGES', `nothing to publish: the definition is version ${active.version}, which is already active`, { activeVersion: active.version })
    }
    const draftUpdatedAt = input.definition ? nextDraftStamp(flow.draftUpdatedAt, now) : flow.draftUpdatedAt
    if (input.definition) updateFlow(tx, id, { draft: input.definition, draftUpdatedAt })
    const version: FlowVersionRow = {
      id: newId(deps.now()),
      flowId: id,
      version: nextVersionNumber(tx, id),
      definition,
      checksum,
      name: input.name ?? null,
      description: input.description ?? null,
      createdBy: input.userId,
      createdAt: now,
    }
    insertVersion(tx, version)
    updateFlow(tx, id, { activeVersionId: version.id, enabled: true, updatedAt: now })
    return { version, disabledFlows: displaceOthers(tx, id, flow.trigger, now), draftUpdatedAt }
  })
}

/** A version by number, or 404. */
export function getVersion(db: DbOrTx, flowId: string, version: number): FlowVersionRow {
  getFlow(db, flowId)
  const found = findVersion(db, flowId, version)
  if (!found) throw notFound('version', `${flowId} v${version}`)
  return found
}

/** The active version of a published flow. */
export function findVersionOf(db: DbOrTx, flow: FlowWithVersion): FlowVersionRow {
  if (flow.activeVersion === null) throw conflict('API_FLOW_NOT_PUBLISHED', `flow "${flow.name}" has no published version`)
  return getVersion(db, flow.id, flow.activeVersion)
}

/** A flow's versions, newest first, marking the active one. */
export function versionsOf(db: DbOrTx, flowId: string): (FlowVersionSummary & { active: boolean })[] {
  const flow = getFlow(db, flowId)
  return listVersions(db, flowId).map((version) => ({ ...version, active: version.id === flow.activeVersionId }))
}

/** Makes an older (or newer) version the one that runs: rollback. Enabled state is kept. */
export function activateVersion(deps: Deps, flowId: string, version: number): FlowWithVersion {
  return deps.db.transaction((tx) => {
    const found = getVersion(tx, flowId, version)
    updateFlow(tx, flowId, { activeVersionId: found.id, updatedAt: iso(deps) })
    return getFlow(tx, flowId)
  })
}

/** Enables or disables a flow; enabling displaces the other enabled flow of a non-manual trigger. */
export function setEnabled(deps: Deps, id: string, enabled: boolean): FlowChange {
  return deps.db.transaction((tx) => {
    const flow = getFlow(tx, id)
    if (enabled && !flow.activeVersionId) {
      throw conflict('API_FLOW_NOT_PUBLISHED', `flow "${flow.name}" has no published version to run; publish it first`)
    }
    const now = iso(deps)
    updateFlow(tx, id, { enabled, updatedAt: now })
    const disabledFlows = enabled ? displaceOthers(tx, id, flow.trigger, now) : []
    return { flow: getFlow(tx, id), disabledFlows }
  })
}

/** At most one enabled flow per trigger other than `manual` (DESIGN.md §4): disable the others. */
function displaceOthers(tx: DbOrTx, id: string, trigger: FlowTrigger, now: string): { id: string; name: string }[] {
  if (!isExclusiveTrigger(trigger)) return []
  const others = enabledFlowsWithTrigger(tx, trigger, id)
  disableFlows(
    tx,
    others.map((other) => other.id),
    now,
  )
  return others
}

/** What changed between two versions of a flow. */
export function diffVersions(db: DbOrTx, flowId: string, a: number, b: number): { from: number; to: number } & FlowDiff {
  const before = getVersion(db, flowId, a)
  const after = getVersion(db, flowId, b)
  return { from: a, to: b, ...diffFlows(before.definition, after.definition) }
}
