import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listFlows } from '@replyflow/db'
import Type from 'typebox'
import { principalOf } from '../auth/access.ts'
import type { AppDeps } from '../deps.ts'
import { emptyBodyAsObject, errorResponses, IdParams, Items, trimName } from '../schemas.ts'
import {
  CreateFlowBody,
  DiffParams,
  FlowDefinitionSchema,
  FlowChangeSchema,
  FlowExportSchema,
  FlowIdVersionParams,
  FlowSchema,
  PublishBody,
  SaveDraftBody,
  UpdateFlowBody,
  ValidationIssueSchema,
  VersionSchema,
  VersionSummarySchema,
} from './flows.schemas.ts'
import {
  activateVersion,
  createFlow,
  diffVersions,
  getFlow,
  getVersion,
  publish,
  removeFlow,
  saveDraft,
  setEnabled,
  updateFlowSettings,
  versionsOf,
} from './flows.service.ts'
import { exportFlow, importFlow } from './flows.transfer.ts'

const tags = ['flows']

const DiffSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  channelChanged: Type.Boolean(),
  nodes: Type.Object({
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    changed: Type.Array(Type.Object({ id: Type.String(), changes: Type.Array(Type.String()) })),
  }),
  edges: Type.Object({
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    changed: Type.Array(Type.Object({ id: Type.String(), changes: Type.Array(Type.String()) })),
  }),
})

/** Flows, their drafts and immutable versions, enable/disable, diff, export and import. Admins only. */
export const flowRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/flows', { schema: { tags, summary: 'List flows', response: { 200: Items(FlowSchema), ...errorResponses } } }, async () => ({
    items: listFlows(deps.db),
  }))

  app.post(
    '/flows',
    { preValidation: trimName, schema: { tags, summary: 'Create a flow (disabled, draft with a Start node)', body: CreateFlowBody, response: { 201: FlowSchema, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(createFlow(deps, request.body)),
  )

  app.get(
    '/flows/:id',
    { schema: { tags, summary: 'Get a flow', params: IdParams, response: { 200: FlowSchema, ...errorResponses } } },
    async (request) => getFlow(deps.db, request.params.id),
  )

  app.patch(
    '/flows/:id',
    {
      preValidation: trimName,
      schema: {
        tags,
        summary: 'Rename a flow, change its trigger, or enable/disable it',
        description: 'Enabling (`enabled: true`) a flow of a non-manual trigger disables the other enabled flow of that trigger; the answer lists it in `disabledFlows`.',
        params: IdParams,
        body: UpdateFlowBody,
        response: { 200: FlowChangeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { flow, disabledFlows } = updateFlowSettings(deps, request.params.id, request.body)
      return { ...flow, disabledFlows }
    },
  )

  app.delete(
    '/flows/:id',
    { schema: { tags, summary: 'Delete a flow, its versions and runs', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      removeFlow(deps, request.params.id)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/flows/:id/draft',
    {
      schema: {
        tags,
        summary: 'Save the draft (even with issues) and list its issues',
        description:
          'With `baseUpdatedAt` (the `draftUpdatedAt` you last saw) a draft changed since is not overwritten: 409 `API_DRAFT_CONFLICT` with the current `details.draftUpdatedAt`. The answer carries the new `draftUpdatedAt`.',
        params: IdParams,
        body: SaveDraftBody,
        response: {
          200: Type.Object({ definition: FlowDefinitionSchema, issues: Type.Array(ValidationIssueSchema), draftUpdatedAt: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request) => saveDraft(deps, request.params.id, request.body.definition, request.body.baseUpdatedAt),
  )

  app.post(
    '/flows/:id/versions',
    {
      preValidation: [emptyBodyAsObject, trimName],
      schema: {
        tags,
        summary: 'Publish the draft as the next immutable version, active and enabled',
        description:
          'Answers 422 `invalid_flow` with every issue in `details` when the flow is not valid, and 409 `API_NO_CHANGES` (`details.activeVersion`) when the definition equals the active version; re-enable a displaced flow with `PATCH flows/:id { enabled: true }` instead. A `definition` with a stale `baseUpdatedAt` is refused with 409 `API_DRAFT_CONFLICT` (`details.draftUpdatedAt`). The answer carries `draftUpdatedAt`.',
        params: IdParams,
        body: PublishBody,
        response: {
          201: Type.Object({
            id: Type.String(),
            version: Type.Integer(),
            checksum: Type.String(),
            name: Type.Union([Type.String(), Type.Null()]),
            description: Type.Union([Type.String(), Type.Null()]),
            createdAt: Type.String(),
            disabledFlows: FlowChangeSchema.properties.disabledFlows,
            draftUpdatedAt: Type.String(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { version, disabledFlows, draftUpdatedAt } = publish(deps, request.params.id, { ...request.body, userId: principalOf(request).user.id })
      return reply.status(201).send({ ...version, disabledFlows, draftUpdatedAt })
    },
  )

  app.get(
    '/flows/:id/versions',
    { schema: { tags, summary: "List a flow's versions, newest first", params: IdParams, response: { 200: Items(VersionSummarySchema), ...errorResponses } } },
    async (request) => ({ items: versionsOf(deps.db, request.params.id) }),
  )

  app.get(
    '/flows/:id/versions/:version',
    { schema: { tags, summary: 'Get one version with its definition', params: FlowIdVersionParams, response: { 200: VersionSchema, ...errorResponses } } },
    async (request) => {
      const version = getVersion(deps.db, request.params.id, request.params.version)
      const flow = getFlow(deps.db, request.params.id)
      return { ...version, active: version.id === flow.activeVersionId }
    },
  )

  app.post(
    '/flows/:id/versions/:version/activate',
    {
      schema: {
        tags,
        summary: 'Make this version the active one (rollback)',
        params: FlowIdVersionParams,
        response: { 200: FlowSchema, ...errorResponses },
      },
    },
    async (request) => activateVersion(deps, request.params.id, request.params.version),
  )

  app.get(
    '/flows/:id/versions/:a/diff/:b',
    { schema: { tags, summary: 'Compare two versions: nodes and edges added, removed, changed', params: DiffParams, response: { 200: DiffSchema, ...errorResponses } } },
    async (request) => diffVersions(deps.db, request.params.id, request.params.a, request.params.b),
  )

  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/flows/:id/${action}`,
      {
        schema: {
          tags,
          summary: action === 'enable' ? 'Enable a flow; the answer lists the flow it displaced' : 'Disable a flow',
          params: IdParams,
          response: { 200: FlowChangeSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { flow, disabledFlows } = setEnabled(deps, request.params.id, action === 'enable')
        return { ...flow, disabledFlows }
      },
    )
  }

  app.get(
    '/flows/:id/export',
    { schema: { tags, summary: 'Export a flow as a JSON file', params: IdParams, response: { 200: FlowExportSchema, ...errorResponses } } },
    async (request, reply) => {
      const file = exportFlow(deps, request.params.id)
      const filename = `${file.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'flow'}.flow.json`
      return reply.header('content-disposition', `attachment; filename="${filename}"`).send(file)
    },
  )

  app.post(
    '/flows/import',
    {
      preValidation: trimName,
      schema: {
        tags,
        summary: 'Import a flow file as a new, disabled flow (validated, never trusted)',
        body: FlowExportSchema,
        response: { 201: FlowSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(importFlow(deps, request.body)),
  )
}
