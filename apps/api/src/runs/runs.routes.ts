import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listRunsOfFlow } from '@replyflow/db'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { getFlow } from '../flows/flows.service.ts'
import { DEFAULT_PAGE_SIZE, emptyBodyAsObject, errorResponses, IdParams, Page, PageQuery } from '../schemas.ts'
import { RunAcceptedSchema, RunInputSchema, RunSchema, RunStatusSchema, RunSummarySchema } from './runs.schemas.ts'
import { retryRun, runWithSteps, startManualRun } from './runs.service.ts'

const tags = ['runs']

/** `flows/:id/runs` (start, list) and `runs/:id` (get, retry). Admins only. */
export const runRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post(
    '/flows/:id/runs',
    {
      schema: {
        tags,
        summary: "Start a run of the flow's active version",
        description: 'Honours `Idempotency-Key`: the same key and body answer the same run; the same key with another body answers 422.',
        params: IdParams,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: Type.Object({ input: RunInputSchema }, { additionalProperties: false }),
        response: { 202: RunAcceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { run } = await startManualRun(deps, request.params.id, request.body.input, request.headers['idempotency-key'])
      return reply.status(202).send({ id: run.id, status: run.status })
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
      const items = listRunsOfFlow(deps.db, request.params.id, { status, cursor, limit: limit + 1 })
      const page = items.slice(0, limit)
      return { items: page, nextCursor: items.length > limit ? (page[page.length - 1]?.id ?? null) : null }
    },
  )

  app.get(
    '/runs/:id',
    { schema: { tags, summary: 'A run with its steps', params: IdParams, response: { 200: RunSchema, ...errorResponses } } },
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
      return reply.status(202).send({ id: run.id, status: run.status })
    },
  )
}
