import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isId, listRuns, listRunsOfFlow } from '@replyflow/db'
import { RunStatusSchema } from '@replyflow/queue'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { getFlow } from '../flows/flows.service.ts'
import { DEFAULT_PAGE_SIZE, emptyBodyAsObject, errorResponses, IdParams, Page, PageQuery } from '../schemas.ts'
import { RunAcceptedSchema, RunDetailSchema, RunListItemSchema, RunSummarySchema, StartRunBody } from './runs.schemas.ts'
import { retryRun, runWithSteps, startManualRun } from './runs.service.ts'

const tags = ['runs']

/** A runs page's cursor: the id of the last run of the page before (what `nextCursor` gave), else 400 as for conversations. */
function runCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || isId(cursor)) return cursor
  throw new ApiError(400, 'API_BAD_CURSOR', 'cursor is not one this API gave out')
}

/** A page of `limit` items from a query asked for `limit + 1`: the extra one says whether there is a next page. */
function page<T extends { id: string }>(items: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const shown = items.slice(0, limit)
  return { items: shown, nextCursor: items.length > limit ? (shown[shown.length - 1]?.id ?? null) : null }
}

/** `flows/:id/runs` (start, list), `runs` (every flow's) and `runs/:id` (get, retry). Admins only. */
export const runRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post(
    '/flows/:id/runs',
    {
      schema: {
        tags,
        summary: "Start a run of the flow's active version, or a dry run",
        description: [
          'The customer and message of `input` are stored as if the message had just arrived, and the run assigns and notifies for real.',
          'With `dryRun: true` nothing is stored but the run: it executes in a worker like any run, creates no customer, conversation or message, applies no effect (no assignment, no mail) and records in `effects` what it would have done.',
          'A dry run may carry `definition`, a draft to test before publishing (validated like publishing: 422 `invalid_flow`); it then runs instead of the active version and the run has `version: null`. `definition` without `dryRun: true` is refused (400).',
          'A disabled flow (another flow took its trigger, or it was switched off) runs only as a dry run: a real run answers 409 `API_FLOW_DISABLED`.',
          'Honours `Idempotency-Key`: the same key and body answer the same run; the same key with another body answers 422.',
        ].join('\n\n'),
        params: IdParams,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: StartRunBody,
        response: { 202: RunAcceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { run } = await startManualRun(deps, request.params.id, request.body, request.headers['idempotency-key'])
      return reply.status(202).send({ id: run.id, status: run.status, dryRun: run.dryRun })
    },
  )

  app.get(
    '/runs',
    {
      schema: {
        tags,
        summary: 'List the runs of every flow, newest first',
        description: 'Each with its flow (`flowId`, `flowName`), `trigger`, `dryRun`, `conversationId` and the `customer` who wrote its message (null for dry runs).',
        querystring: Type.Object(
          { status: Type.Optional(RunStatusSchema), flowId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Page(RunListItemSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { status, flowId, cursor, limit = DEFAULT_PAGE_SIZE } = request.query
      return page(listRuns(deps.db, { status, flowId, cursor: runCursor(cursor), limit: limit + 1 }), limit)
    },
  )

  app.get(
    '/flows/:id/runs',
    {
      schema: {
        tags,
        summary: "List a flow's runs, newest first",
        params: IdParams,
        querystring: Type.Object({ status: Type.Optional(RunStatusSchema), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Page(RunSummarySchema), ...errorResponses },
      },
    },
    async (request) => {
      getFlow(deps.db, request.params.id)
      const { status, cursor, limit = DEFAULT_PAGE_SIZE } = request.query
      return page(listRunsOfFlow(deps.db, request.params.id, { status, cursor: runCursor(cursor), limit: limit + 1 }), limit)
    },
  )

  app.get(
    '/runs/:id',
    { schema: { tags, summary: 'A run with its steps, and the draft it ran if it is a dry run of one', params: IdParams, response: { 200: RunDetailSchema, ...errorResponses } } },
    async (request) => runWithSteps(deps.db, request.params.id),
  )

  app.post(
    '/runs/:id/retry',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Retry a failed run from its failed step, or from the start on the active version',
        params: IdParams,
        body: Type.Object({ fromStart: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 202: RunAcceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const run = await retryRun(deps, request.params.id, { fromStart: request.body.fromStart ?? false })
      return reply.status(202).send({ id: run.id, status: run.status, dryRun: run.dryRun })
    },
  )
}
