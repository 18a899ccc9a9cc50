import { EffectSchema, RunErrorSchema, RunStatusSchema, StepSchema } from '@replyflow/queue'
import Type from 'typebox'
import { Email, Nullable } from '../schemas.ts'
import { ChannelSchema, FlowDefinitionSchema, TriggerSchema } from '../flows/flows.schemas.ts'

/** A custom field's value. */
export const CustomValueSchema = Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean(), Type.Null()])

/** Custom fields: a flat map, keys like variable names. */
export const CustomFieldsSchema = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$' }), CustomValueSchema, { maxProperties: 100 })

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
  /** The pinned version; null (with `version`) for a dry run of a draft. */
  versionId: Nullable(Type.String()),
  version: Nullable(Type.Integer()),
  /** A dry run: executed without creating a customer, conversation or message, and without applying its effects. */
  dryRun: Type.Boolean(),
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

/** A run with its input, steps and effects. */
export const RunSchema = Type.Object({
  ...RunSummarySchema.properties,
  input: Type.Record(Type.String(), Type.Unknown()),
  resume: Nullable(Type.Object({ nodeId: Type.String(), variables: Type.Record(Type.String(), Type.Unknown()) })),
  steps: Type.Array(StepSchema),
  /** What the engine returned: applied for a real run, what it *would* have done for a dry run; empty until reported. */
  effects: Type.Array(EffectSchema),
})

/** `GET runs/:id`: a run, and the draft it ran when it is a dry run of one (its steps name that draft's nodes). */
export const RunDetailSchema = Type.Object({
  ...RunSchema.properties,
  /** The draft a dry run tested, as it was then; null for a run of a version (read it from `flows/:id/versions/:version`). */
  definition: Nullable(FlowDefinitionSchema),
})

/** A run in the list of every flow's runs: with its flow's name and its customer. */
export const RunListItemSchema = Type.Object({
  ...RunSummarySchema.properties,
  flowName: Type.String(),
  /** Who wrote the run's message; null when none is stored (a dry run). */
  customer: Nullable(Type.Object({ id: Type.String(), name: Nullable(Type.String()), email: Nullable(Type.String()) })),
})

/** The answer of starting or retrying a run (DESIGN.md §4: `202 { id, status }`, plus `dryRun`). */
export const RunAcceptedSchema = Type.Object({ id: Type.String(), status: RunStatusSchema, dryRun: Type.Boolean() })

/** `POST flows/:id/runs`: a run of the active version, or a dry run (of the active version, or of `definition`). */
export const StartRunBody = Type.Object(
  {
    input: RunInputSchema,
    dryRun: Type.Optional(Type.Boolean({ default: false })),
    /** A draft to test instead of the active version; only with `dryRun: true`. Validated like publishing. */
    definition: Type.Optional(FlowDefinitionSchema),
  },
  { additionalProperties: false },
)
