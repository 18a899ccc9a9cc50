import Type, { type TSchema } from 'typebox'
import { CHANNELS, FLOW_LIMITS, FLOW_TRIGGERS, type FlowTrigger, type NodeResult, type NodeType } from './definition.ts'
import { FIELD_CATEGORIES, type Labels } from './fields.ts'

/** What the editor and the validator need to know about one kind of node. */
export interface NodeKind {
  type: NodeType
  /** Results the node can produce, in the order the editor shows its handles. */
  results: readonly NodeResult[]
  /** Results that must have an outgoing edge for the flow to be publishable. */
  requiredResults: readonly NodeResult[]
  /** JSON Schema of the node's `config`. */
  configSchema: TSchema
  /** Config a freshly dropped node starts with. */
  defaultConfig: () => Record<string, unknown>
  label: Labels
  description: Labels
}

const noConfig = Type.Object({}, { additionalProperties: false })

export const OutputSchema = Type.Object(
  {
    variable: Type.String({ minLength: 1, maxLength: 64 }),
    // May be left empty (DESIGN.md §1): the field is then looked up among standard fields first.
    category: Type.Optional(Type.Union(FIELD_CATEGORIES.map((c) => Type.Literal(c)))),
    field: Type.String({ minLength: 1, maxLength: 120 }),
  },
  { additionalProperties: false },
)

/** The node catalog: the single description of every node kind. */
export const NODE_CATALOG: Record<NodeType, NodeKind> = {
  start: {
    type: 'start',
    results: ['SUCCESS'],
    requiredResults: ['SUCCESS'],
    configSchema: noConfig,
    defaultConfig: () => ({}),
    label: { en: 'Start', 'zh-CN': '开始' },
    description: { en: 'Where every run begins.', 'zh-CN': '每次运行的起点。' },
  },
  get_customer_data: {
    type: 'get_customer_data',
    results: ['SUCCESS', 'FAILURE'],
    requiredResults: ['SUCCESS'],
    configSchema: Type.Object(
      { outputs: Type.Array(OutputSchema, { minItems: 1, maxItems: FLOW_LIMITS.outputsPerNode }) },
      { additionalProperties: false },
    ),
    defaultConfig: () => ({ outputs: [{ variable: 'var_content', category: 'standard', field: 'message.content' }] }),
    label: { en: 'Get customer data', 'zh-CN': '获取客户数据' },
    description: {
      en: 'Reads customer and message fields into var_ variables.',
      'zh-CN': '把客户和消息字段读入 var_ 变量。',
    },
  },
  logic: {
    type: 'logic',
    results: ['SUCCESS', 'FALSE', 'FAILURE'],
    requiredResults: ['SUCCESS', 'FALSE'],
    configSchema: Type.Object(
      { expression: Type.String({ minLength: 1, maxLength: FLOW_LIMITS.expressionLength }) },
      { additionalProperties: false },
    ),
    defaultConfig: () => ({ expression: '' }),
    label: { en: 'Logic operation', 'zh-CN': '逻辑运算' },
    description: {
      en: 'Evaluates a CEL expression over var_ variables: true → SUCCESS, false → FALSE.',
      'zh-CN': '对 var_ 变量求值 CEL 表达式：真 → SUCCESS，假 → FALSE。',
    },
  },
  assign_all_agents: {
    type: 'assign_all_agents',
    results: ['SUCCESS', 'FAILURE'],
    requiredResults: ['SUCCESS'],
    configSchema: noConfig,
    defaultConfig: () => ({}),
    label: { en: 'Assign all agents', 'zh-CN': '分配给所有客服' },
    description: { en: 'Assigns the conversation to every agent.', 'zh-CN': '把会话分配给所有客服。' },
  },
  message_conversion: {
    type: 'message_conversion',
    results: ['SUCCESS', 'FAILURE'],
    requiredResults: ['SUCCESS'],
    configSchema: Type.Object(
      { output: Type.Union(CHANNELS.map((c) => Type.Literal(c))) },
      { additionalProperties: false },
    ),
    defaultConfig: () => ({ output: 'email' }),
    label: { en: 'Message conversion', 'zh-CN': '消息转换' },
    description: {
      en: "Converts the customer's message and delivers it to the assignees (or every agent).",
      'zh-CN': '转换客户消息并发送给负责人（无负责人时发给所有客服）。',
    },
  },
  end: {
    type: 'end',
    results: [],
    requiredResults: [],
    configSchema: noConfig,
    defaultConfig: () => ({}),
    label: { en: 'End', 'zh-CN': '结束' },
    description: { en: 'The run ends here.', 'zh-CN': '运行在此结束。' },
  },
}

/** Labels of each result, for handles and edge labels. */
export const RESULT_LABELS: Record<NodeResult, Labels> = {
  SUCCESS: { en: 'Success', 'zh-CN': '成功' },
  FALSE: { en: 'False', 'zh-CN': '否' },
  FAILURE: { en: 'Failure', 'zh-CN': '失败' },
}

/** Labels of each trigger ("flow trigger timing"). */
export const TRIGGER_LABELS: Record<FlowTrigger, Labels> = {
  'email.received': { en: 'Customer e-mail received', 'zh-CN': '收到客户邮件' },
  'message.offline': { en: 'Customer message while no agent is online', 'zh-CN': '无客服在线时收到客户消息' },
  manual: { en: 'Manual (API or editor only)', 'zh-CN': '手动（仅通过 API 或编辑器）' },
}

export { FLOW_TRIGGERS }
