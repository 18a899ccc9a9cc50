import { CHANNELS, FlowDefinitionSchema as FlowDefinitionJsonSchema, NODE_RESULTS, NODE_TYPES, type FlowDefinition, type RunContext } from '@replyflow/flow'
import Type, { type Static, type TSchema } from 'typebox'

// The worker surface of the API, `/internal/v1` (docs/internals.md): what a
// worker claims and reports, defined once. The API validates and serialises
// with these schemas; the worker reads and writes their static types.

/** Run statuses (DESIGN.md §4). */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Delivery statuses (docs/internals.md, "Deliveries"). */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'retrying', 'delivered', 'failed', 'complained', 'suppressed'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** Runs in these states are done: a worker skips them, and never runs one twice. */
export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed'])

/** Deliveries in these states are settled: a worker never sends them (again). */
export const SETTLED_DELIVERY_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['sent', 'delivered', 'failed', 'complained', 'suppressed'])

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

// Batches are bounded so one call stays one short transaction.
const MAX_BATCH = 500
const Id = Type.String({ minLength: 1, maxLength: 64 })

/** A run's status. */
export const RunStatusSchema = Type.Enum(RUN_STATUSES)

/** A delivery's status. */
export const DeliveryStatusSchema = Type.Enum(DELIVERY_STATUSES)

/** Why a run or a step failed (`@replyflow/flow`'s `RunError`, any code). */
export const RunErrorSchema = Type.Object({
  code: Type.String({ maxLength: 100 }),
  message: Type.String({ maxLength: 10_000 }),
  nodeId: Type.Optional(Type.String({ maxLength: 64 })),
})

/** One executed node (`@replyflow/flow`'s `Step`). */
export const StepSchema = Type.Object({
  nodeId: Type.String({ maxLength: 64 }),
  type: Type.Enum(NODE_TYPES),
  result: Nullable(Type.Enum(NODE_RESULTS)),
  outputs: Type.Record(Type.String(), Type.Unknown()),
  error: Nullable(RunErrorSchema),
  startedAt: Type.String({ maxLength: 64 }),
  finishedAt: Type.String({ maxLength: 64 }),
})

const RecipientSchema = Type.Object({ agentId: Id, name: Type.String({ maxLength: 200 }), address: Type.String({ minLength: 1, maxLength: 254 }) })

/** An effect the engine returned (`@replyflow/flow`'s `Effect`): applied by a real run, only recorded by a dry run. */
export const EffectSchema = Type.Union([
  Type.Object({ type: Type.Literal('assign_agents'), nodeId: Id, agentIds: Type.Array(Id, { maxItems: 1000 }) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('deliver_message'),
      nodeId: Id,
      channel: Type.Enum(CHANNELS),
      recipients: Type.Array(RecipientSchema, { maxItems: 1000 }),
      message: Type.Object({ subject: Type.String({ maxLength: 1000 }), text: Type.String({ maxLength: 200_000 }) }),
    },
    { additionalProperties: false },
  ),
])

const ClaimedRunSchema = Type.Object({
  runId: Type.String(),
  flowId: Type.String(),
  /** null for a dry run of a draft: its definition always comes inline (never cached, it has no version). */
  versionId: Nullable(Type.String()),
  /** The API records a dry run's steps and effects but applies no effect; the worker runs it like any other. */
  dryRun: Type.Boolean(),
  status: RunStatusSchema,
  /** null when the worker listed the version in `knownVersionIds` (versions are immutable), and for a finished run. */
  definition: Nullable(Type.Unsafe<FlowDefinition>(FlowDefinitionJsonSchema)),
  /** The snapshot the run reads, built by the API (not checked again on the way out). */
  context: Type.Unsafe<RunContext>(Type.Unknown()),
  resume: Nullable(Type.Object({ nodeId: Type.String(), variables: Type.Record(Type.String(), Type.Unknown()) })),
})

const RunReportSchema = Type.Object(
  {
    runId: Id,
    status: Type.Enum(['succeeded', 'failed'] as const),
    steps: Type.Array(StepSchema, { maxItems: 5000 }),
    effects: Type.Array(EffectSchema, { maxItems: 5000 }),
    error: Nullable(RunErrorSchema),
  },
  { additionalProperties: false },
)

/** The composed mail of a delivery (`@replyflow/mail`'s `OutboundMail`), as stored and sent as is. */
const DeliveryMailSchema = Type.Object({
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
})

const ClaimedDeliverySchema = Type.Object({
  deliveryId: Type.String(),
  status: DeliveryStatusSchema,
  mail: DeliveryMailSchema,
})

const DeliveryResultSchema = Type.Object(
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

/** Body and answer of each batched `/internal/v1` call, in the order of docs/internals.md's table. */
export const INTERNAL_API = {
  /** `POST /internal/v1/runs/claim` */
  claimRuns: {
    body: Type.Object(
      { runIds: Type.Array(Id, { maxItems: MAX_BATCH }), knownVersionIds: Type.Optional(Type.Array(Id, { maxItems: 10_000 })) },
      { additionalProperties: false },
    ),
    answer: Type.Object({ items: Type.Array(ClaimedRunSchema) }),
  },
  /** `POST /internal/v1/runs/report` */
  reportRuns: {
    body: Type.Object({ reports: Type.Array(RunReportSchema, { maxItems: MAX_BATCH }) }, { additionalProperties: false }),
    answer: Type.Object({ items: Type.Array(Type.Object({ runId: Type.String(), status: RunStatusSchema })) }),
  },
  /** `POST /internal/v1/deliveries/claim` */
  claimDeliveries: {
    body: Type.Object({ deliveryIds: Type.Array(Id, { maxItems: MAX_BATCH }) }, { additionalProperties: false }),
    answer: Type.Object({ items: Type.Array(ClaimedDeliverySchema) }),
  },
  /** `POST /internal/v1/deliveries/report` */
  reportDeliveries: {
    body: Type.Object({ results: Type.Array(DeliveryResultSchema, { maxItems: MAX_BATCH }) }, { additionalProperties: false }),
    answer: Type.Object({ items: Type.Array(Type.Object({ deliveryId: Type.String(), status: DeliveryStatusSchema })) }),
  },
} as const

/** A run handed to a worker: everything it needs to execute, in one answer. */
export type ClaimedRun = Static<typeof ClaimedRunSchema>
/** What a worker reports once a run has been executed. */
export type RunReport = Static<typeof RunReportSchema>
/** A delivery's composed mail: the shape of `@replyflow/mail`'s `OutboundMail`, stored as JSON on the delivery. */
export type DeliveryMail = Static<typeof DeliveryMailSchema>
/** A delivery handed to a worker, with its composed mail. */
export type ClaimedDelivery = Static<typeof ClaimedDeliverySchema>
/** The outcome of one send attempt, as a worker reports it. */
export type DeliveryResult = Static<typeof DeliveryResultSchema>
