import type { Channel, FlowDefinition, FlowTrigger } from '@replyflow/flow'
import { request } from './client.ts'
import type {
  Agent,
  Conversation,
  DisabledFlows,
  DraftAnswer,
  Flow,
  FlowVersion,
  FlowVersionDetail,
  Items,
  Message,
  OfflineEmailSettings,
  Run,
  RunSummary,
} from './types.ts'

const V1 = '/api/v1'
const enc = encodeURIComponent

/** The flows API (DESIGN.md §4). */
export const flowsApi = {
  list: () => request<Items<Flow>>('GET', `${V1}/flows`),
  get: (id: string) => request<Flow>('GET', `${V1}/flows/${enc(id)}`),
  create: (body: { name: string; channel: Channel; trigger: FlowTrigger }) => request<Flow>('POST', `${V1}/flows`, { body }),
  saveDraft: (id: string, definition: FlowDefinition) => request<DraftAnswer>('PUT', `${V1}/flows/${enc(id)}/draft`, { body: { definition } }),
  /** Publishes `definition` (saved as the draft in the same transaction) as the next version. */
  publish: (id: string, body: { name?: string; description?: string; definition: FlowDefinition }) =>
    request<FlowVersion & DisabledFlows>('POST', `${V1}/flows/${enc(id)}/versions`, { body }),
  versions: (id: string) => request<Items<FlowVersion>>('GET', `${V1}/flows/${enc(id)}/versions`),
  version: (id: string, version: number) => request<FlowVersionDetail>('GET', `${V1}/flows/${enc(id)}/versions/${version}`),
  activate: (id: string, version: number) => request<Flow>('POST', `${V1}/flows/${enc(id)}/versions/${version}/activate`, { body: {} }),
  runs: (id: string) => request<Items<RunSummary>>('GET', `${V1}/flows/${enc(id)}/runs?limit=50`),
  triggerRun: (id: string, input: { customer: Record<string, unknown>; message: Record<string, unknown> }, idempotencyKey: string) =>
    request<{ id: string; status: Run['status'] }>('POST', `${V1}/flows/${enc(id)}/runs`, { body: { input }, headers: { 'idempotency-key': idempotencyKey } }),
}

/** Runs by id. */
export const runsApi = {
  get: (id: string) => request<Run>('GET', `${V1}/runs/${enc(id)}`),
}

/** Agents. */
export const agentsApi = {
  list: () => request<Items<Agent>>('GET', `${V1}/agents`),
  create: (body: { name: string; email: string }) => request<Agent>('POST', `${V1}/agents`, { body }),
}

/** Settings → Customer offline message handling → EMAIL. */
export const settingsApi = {
  offlineEmail: () => request<OfflineEmailSettings>('GET', `${V1}/settings/offline-email`),
  saveOfflineEmail: (body: OfflineEmailSettings) => request<OfflineEmailSettings>('PUT', `${V1}/settings/offline-email`, { body }),
}

/** Inbox filters, as the conversations list understands them. */
export type InboxFilter = 'mine' | 'unassigned' | 'all'

/** How each inbox filter asks the conversations list (`assignee=me` needs a login linked to an agent). */
const ASSIGNEE_QUERY: Record<InboxFilter, string> = { mine: '&assignee=me', unassigned: '&assignee=none', all: '' }

/** Conversations and their messages. */
export const conversationsApi = {
  list: (filter: InboxFilter) => request<Items<Conversation>>('GET', `${V1}/conversations?limit=100${ASSIGNEE_QUERY[filter]}`),
  get: (id: string) => request<Conversation>('GET', `${V1}/conversations/${enc(id)}`),
  messages: (id: string) => request<Items<Message>>('GET', `${V1}/conversations/${enc(id)}/messages`),
  reply: (id: string, body: { content: string; agentId?: string }) => request<Message>('POST', `${V1}/conversations/${enc(id)}/messages`, { body }),
}
