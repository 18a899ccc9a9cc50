import { CHANNELS, FLOW_NAME_MAX, FLOW_TRIGGERS, PLAIN_LINE_PATTERN, FlowDefinitionSchema as FlowDefinitionJsonSchema, type FlowDefinition } from '@replyflow/flow'
import Type from 'typebox'
import { Nullable } from '../schemas.ts'

/** The flow package's definition schema, typed as the `FlowDefinition` it describes. */
export const FlowDefinitionSchema = Type.Unsafe<FlowDefinition>(FlowDefinitionJsonSchema)

/** Names shown in the UI: no markup, no control characters (hostile imports carry `<script>`). */
export const SafeName = Type.String({ minLength: 1, maxLength: FLOW_NAME_MAX, pattern: PLAIN_LINE_PATTERN })

/** Optional free text (a version's description): no markup either. */
export const SafeText = Type.String({ maxLength: 2000, pattern: '^[^<>\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' })

export const ChannelSchema = Type.Enum(CHANNELS)
export const TriggerSchema = Type.Enum(FLOW_TRIGGERS)

/** A flow as the API shows it (DESIGN.md §4). */
export const FlowSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  channel: ChannelSchema,
  trigger: TriggerSchema,
  enabled: Type.Boolean(),
  /** The active version's number, or null before the first publish. */
  activeVersion: Nullable(Type.Integer()),
  activeVersionId: Nullable(Type.String()),
  draft: FlowDefinitionSchema,
  draftUpdatedAt: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

/** Flows another one displaced: at most one enabled flow serves each non-manual trigger. */
export const DisabledFlowsSchema = Type.Array(Type.Object({ id: Type.String(), name: Type.String() }))

/** A flow answer after enabling, publishing or activating, which may have disabled others. */
export const FlowChangeSchema = Type.Object({ ...FlowSchema.properties, disabledFlows: DisabledFlowsSchema })

export const ValidationIssueSchema = Type.Object({
  code: Type.String(),
  nodeId: Type.Optional(Type.String()),
  edgeId: Type.Optional(Type.String()),
  message: Type.String(),
  params: Type.Optional(Type.Record(Type.String(), Type.String())),
})

export const VersionSummarySchema = Type.Object({
  id: Type.String(),
  flowId: Type.String(),
  version: Type.Integer(),
  checksum: Type.String(),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
  active: Type.Boolean(),
})

export const VersionSchema = Type.Object({ ...VersionSummarySchema.properties, definition: FlowDefinitionSchema })

export const CreateFlowBody = Type.Object(
  { name: SafeName, channel: ChannelSchema, trigger: TriggerSchema },
  { additionalProperties: false },
)

export const UpdateFlowBody = Type.Object(
  { name: Type.Optional(SafeName), trigger: Type.Optional(TriggerSchema), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
)

/** The `draftUpdatedAt` a client last saw; a different stored one refuses the write with 409 `API_DRAFT_CONFLICT`. */
export const DraftBaseSchema = Type.String({
  format: 'date-time',
  maxLength: 64,
  description: 'The `draftUpdatedAt` you last saw: when the draft changed since (another tab, another admin), 409 `API_DRAFT_CONFLICT` and nothing is written',
})

export const SaveDraftBody = Type.Object({ definition: FlowDefinitionSchema, baseUpdatedAt: Type.Optional(DraftBaseSchema) }, { additionalProperties: false })

export const PublishBody = Type.Object(
  {
    name: Type.Optional(SafeName),
    description: Type.Optional(SafeText),
    /** Saves this as the draft first, in the same transaction. */
    definition: Type.Optional(FlowDefinitionSchema),
    baseUpdatedAt: Type.Optional(DraftBaseSchema),
  },
  { additionalProperties: false },
)

export const FlowIdVersionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  version: Type.Integer({ minimum: 1 }),
})

export const DiffParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  a: Type.Integer({ minimum: 1 }),
  b: Type.Integer({ minimum: 1 }),
})

/** The file format of an exported flow. */
export const FLOW_EXPORT_FORMAT = 'replyflow.flow'

export const FlowExportSchema = Type.Object(
  {
    format: Type.Literal(FLOW_EXPORT_FORMAT),
    formatVersion: Type.Literal(1),
    name: SafeName,
    channel: ChannelSchema,
    trigger: TriggerSchema,
    definition: FlowDefinitionSchema,
    exportedAt: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)
