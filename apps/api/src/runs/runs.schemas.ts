import { NODE_RESULTS, NODE_TYPES } from '@replyflow/flow'
import { RUN_STATUSES } from '@replyflow/db'
import Type from 'typebox'
import { Email, Nullable } from '../schemas.ts'
import { ChannelSchema, TriggerSchema } from '../flows/flows.schemas.ts'

export const RunStatusSchema = Type.Enum(RUN_STATUSES)

/** A custom field's value. */
export const CustomValueSchema = Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean(), Type.Null()])

/** Custom fields: a flat map, keys like variable names. */
export const CustomFieldsSchema = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$' }), CustomValueSchema, { maxProperties: 100 })

export const RunErrorSchema = Type.Object({
  code: Type.String({ maxLength: 100 }),
  message: Type.String({ maxLength: 10_000 }),
  nodeId: Type.Optional(Type.String({ maxLength: 64 })),
})

export const StepSchema = Type.Object({
  nodeId: Type.String({ maxLength: 64 }),
  type: Type.Enum(NODE_TYPES),
  result: Nullable(Type.Enum(NODE_RESULTS)),
  outputs: Type.Record(Type.String(), Type.Unknown()),
  error: Nullable(RunErrorSchema),
  startedAt: Type.String({ maxLength: 64 }),
  finishedAt: Type.String({ maxLength: 64 }),
})

/** What a manual run starts with: a customer and their message, as if it had just arrived. */
export const RunInputSchema = Type.Object(
  {
    customer: Type.Object(
      {
        id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
        email: Type.Optional(Nullable(Email)),
        phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
        custom: Type.Optional(CustomFieldsSchema),
      },
      { additionalProperties: false },
    ),
    message: Type.Object(
      {
        subject: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
        content: Type.String({ maxLength: 100_000 }),
        channel: Type.Optional(ChannelSchema),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

/** A run as listed. */
export const RunSummarySchema = Type.Object({
  id: Type.String(),
  flowId: Type.String(),
  versionId: Type.String(),
  version: Type.Integer(),
  status: RunStatusSchema,
  trigger: TriggerSchema,
  conversationId: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  error: Nullable(RunErrorSchema),
  attempt: Type.Integer(),
  retryOf: Nullable(Type.String()),
  createdAt: Type.String(),
  enqueuedAt: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
})

/** A run with its input and steps. */
export const RunSchema = Type.Object({
  ...RunSummarySchema.properties,
  input: Type.Record(Type.String(), Type.Unknown()),
  resume: Nullable(Type.Object({ nodeId: Type.String(), variables: Type.Record(Type.String(), Type.Unknown()) })),
  steps: Type.Array(StepSchema),
})

/** The answer of starting or retrying a run (DESIGN.md §4: `202 { id, status }`). */
export const RunAcceptedSchema = Type.Object({ id: Type.String(), status: RunStatusSchema })
