import { createReadStream, type ReadStream } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerMatches, INTERNAL_API } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'
import { findStoredAttachment } from '../attachments/stored-attachment.ts'
import { unauthorized } from '../errors.ts'
import { errorResponses, IdParams } from '../schemas.ts'
import { claimDeliveries, reportDeliveries } from './deliveries.service.ts'
import { claimRuns } from './run-claim.service.ts'
import { reportRuns } from './run-report.service.ts'
import Type from 'typebox'

const tags = ['internal']

/**
 * The worker surface `/internal/v1` (docs/internals.md): batched claims and
 * reports of runs and deliveries, for workers holding `Bearer $WORKER_TOKEN`.
 */
export const internalRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.addHook('onRequest', async (request) => {
    const token = deps.config.workerToken
    if (!token) throw unauthorized('the worker surface is off: WORKER_TOKEN is not set')
    if (!bearerMatches(request.headers.authorization, token)) throw unauthorized('send Authorization: Bearer <WORKER_TOKEN>')
  })

  app.post(
    '/runs/claim',
    { schema: { tags, summary: 'Claim runs: context snapshot and (uncached) definition', body: INTERNAL_API.claimRuns.body, response: { 200: INTERNAL_API.claimRuns.answer, ...errorResponses } } },
    async (request) => ({ items: await claimRuns(deps, request.body.runIds, request.body.knownVersionIds ?? []) }),
  )

  app.post(
    '/runs/report',
    { schema: { tags, summary: 'Report runs: steps and effects, applied once per (run, node)', body: INTERNAL_API.reportRuns.body, response: { 200: INTERNAL_API.reportRuns.answer, ...errorResponses } } },
    async (request) => ({ items: await reportRuns(deps, request.body.reports) }),
  )

  app.post(
    '/deliveries/claim',
    { schema: { tags, summary: 'Claim deliveries with their composed mail', body: INTERNAL_API.claimDeliveries.body, response: { 200: INTERNAL_API.claimDeliveries.answer, ...errorResponses } } },
    async (request) => ({ items: await claimDeliveries(deps, request.body.deliveryIds) }),
  )

  app.post(
    '/deliveries/report',
    { schema: { tags, summary: 'Report send outcomes', body: INTERNAL_API.reportDeliveries.body, response: { 200: INTERNAL_API.reportDeliveries.answer, ...errorResponses } } },
    async (request) => ({ items: await reportDeliveries(deps, request.body.results) }),
  )

  // Attachments of outbound mail travel by reference: the worker fetches their bytes when it sends.
  app.get(
    '/attachments/:id',
    {
      schema: {
        tags,
        summary: "An attachment's bytes, for a worker mailing it",
        params: IdParams,
        response: { 200: Type.Unsafe<ReadStream>({ type: 'string', format: 'binary' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { attachment, path } = await findStoredAttachment(deps, request.params.id)
      return reply.header('content-type', 'application/octet-stream').header('content-length', attachment.size).send(createReadStream(path))
    },
  )
}
