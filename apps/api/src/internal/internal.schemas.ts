import { DELIVERY_STATUSES } from '@replyflow/db'
import type { RunContext } from '@replyflow/flow'
import Type from 'typebox'
import { FlowDefinitionSchema } from '../flows/flows.schemas.ts'
import { EffectSchema, RunErrorSchema, RunStatusSchema, StepSchema } from '../runs/runs.schemas.ts'
import { Nullable } from '../schemas.ts'

// The worker surface of docs/internals.md. Batches are bounded so one call stays one short transaction.
const MAX_BATCH = 500
const Id = Type.String({ minLength: 1, maxLength: 64 })

export const ClaimRunsBody = Type.Object(
  {
    runIds: Type.Array(Id, { maxItems: MAX_BATCH }),
    knownVersionIds: Type.Optional(Type.Array(Id, { maxItems: 10_000 })),
  },
  { additionalProperties: false },
)

/** The run context of `@replyflow/flow`, sent as is (built by the API, not by the client). */
const RunContextSchema = Type.Unsafe<RunContext>(Type.Unknown())

export const ClaimedRunSchema = Type.Object({
  runId: Type.String(),
  flowId: Type.String(),
  /** null for a dry run of a draft: its definition always comes inline (never cached, it has no version). */
  versionId: Nullable(Type.String()),
  /** The API records a dry run's steps and effects but applies no effect; the worker runs it like any other. */
  dryRun: Type.Boolean(),
  status: RunStatusSchema,
  definition: Nullable(FlowDefinitionSchema),
  context: RunContextSchema,
  resume: Nullable(Type.Object({ nodeId: Type.String(), variables: Type.Record(Type.String(), Type.Unknown()) })),
})

export const RunReportSchema = Type.Object(
  {
    runId: Id,
    status: Type.Enum(['succeeded', 'failed'] as const),
    steps: Type.Array(StepSchema, { maxItems: 5000 }),
    effects: Type.Array(EffectSchema, { maxItems: 5000 }),
    error: Nullable(RunErrorSchema),
  },
  { additionalProperties: false },
)

export const ReportRunsBody = Type.Object({ reports: Type.Array(RunReportSchema, { maxItems: MAX_BATCH }) }, { additionalProperties: false })

export const ClaimDeliveriesBody = Type.Object({ deliveryIds: Type.Array(Id, { maxItems: MAX_BATCH }) }, { additionalProperties: false })

const DeliveryStatusSchema = Type.Enum(DELIVERY_STATUSES)

export const ClaimedDeliverySchema = Type.Object({
  deliveryId: Type.String(),
  status: DeliveryStatusSchema,
  mail: Type.Object({
    from: Type.String(),
    to: Type.Array(Type.String()),
    subject: Type.String(),
    text: Type.String(),
    html: Type.Optional(Type.String()),
    headers: Type.Record(Type.String(), Type.String()),
    tags: Type.Array(Type.String()),
    variables: Type.Record(Type.String(), Type.String()),
    /** By reference: the worker fetches the bytes from `GET /internal/v1/attachments/:id`. */
    attachments: Type.Optional(Type.Array(Type.Object({ id: Type.String(), filename: Type.String(), contentType: Type.String(), size: Type.Integer() }))),
  }),
})

export const DeliveryResultSchema = Type.Object(
  {
    deliveryId: Id,
    status: Type.Enum(['sent', 'retrying', 'failed'] as const),
    providerId: Type.Optional(Type.String({ maxLength: 500 })),
    error: Type.Optional(
      Type.Object({ code: Type.String({ maxLength: 100 }), message: Type.String({ maxLength: 10_000 }), httpStatus: Type.Optional(Type.Integer()) }),
    ),
    attempt: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)

export const ReportDeliveriesBody = Type.Object({ results: Type.Array(DeliveryResultSchema, { maxItems: MAX_BATCH }) }, { additionalProperties: false })

export const RunStatusItems = Type.Object({ items: Type.Array(Type.Object({ runId: Type.String(), status: RunStatusSchema })) })
export const DeliveryStatusItems = Type.Object({ items: Type.Array(Type.Object({ deliveryId: Type.String(), status: DeliveryStatusSchema })) })
