import type { Channel, FlowDefinition, FlowTrigger } from '@replyflow/flow'
import { request } from './client.ts'
import type {
  Agent,
  AgentStatus,
  ApiKey,
  Conversation,
  CreatedApiKey,
  DisabledFlows,
  DraftAnswer,
  Flow,
  FlowVersion,
  FlowVersionDetail,
  Items,
  Message,
  OfflineEmailSettings,
  Run,
  RunDetail,
  RunListItem,
  RunRequest,
  RunStatus,
  RunSummary,
} from './types.ts'

const V1 = '/api/v1'
const enc = encodeURIComponent

/** The flows API (DESIGN.md §4). */
export const flowsApi = {
  list: () => request<Items<Flow>>('GET', `${V1}/flows`),
  get: (id: string) => request<Flow>('GET', `${V1}/flows/${enc(id)}`),
  create: (body: { name: string; channel: Channel; trigger: FlowTrigger }) => request<Flow>('POST', `${V1}/flows`, { body }),
  rename: (id: string, name: string) => request<Flow & DisabledFlows>('PATCH', `${V1}/flows/${enc(id)}`, { body: { name } }),
  /** Enabling a flow disables the other enabled flow of its trigger (the answer names it). */
  setEnabled: (id: string, enabled: boolean) => request<Flow & DisabledFlows>('POST', `${V1}/flows/${enc(id)}/${enabled ? 'enable' : 'disable'}`),
  remove: (id: string) => request<void>('DELETE', `${V1}/flows/${enc(id)}`),
  /** Saves the draft; with `baseUpdatedAt` (the `draftUpdatedAt` last seen) a draft changed elsewhere is refused: 409 `API_DRAFT_CONFLICT`. */
  saveDraft: (id: string, definition: FlowDefinition, baseUpdatedAt?: string) =>
    request<DraftAnswer>('PUT', `${V1}/flows/${enc(id)}/draft`, { body: { definition, baseUpdatedAt } }),
  /** Publishes `definition` (saved as the draft in the same transaction, refused like a save on a stale `baseUpdatedAt`) as the next version. */
  publish: (id: string, body: { name?: string; description?: string; definition: FlowDefinition; baseUpdatedAt?: string }) =>
    request<FlowVersion & DisabledFlows & { draftUpdatedAt: string }>('POST', `${V1}/flows/${enc(id)}/versions`, { body }),
  versions: (id: string) => request<Items<FlowVersion>>('GET', `${V1}/flows/${enc(id)}/versions`),
  version: (id: string, version: number) => request<FlowVersionDetail>('GET', `${V1}/flows/${enc(id)}/versions/${version}`),
  activate: (id: string, version: number) => request<Flow>('POST', `${V1}/flows/${enc(id)}/versions/${version}/activate`, { body: {} }),
  runs: (id: string) => request<Items<RunSummary>>('GET', `${V1}/flows/${enc(id)}/runs?limit=50`),
  /** Starts a run; a dry run (optionally of a draft `definition`) applies no effect. */
  triggerRun: (id: string, body: RunRequest, idempotencyKey: string) =>
    request<{ id: string; status: Run['status']; dryRun?: boolean }>('POST', `${V1}/flows/${enc(id)}/runs`, { body, headers: { 'idempotency-key': idempotencyKey } }),
}

/** Runs: by id, and every flow's runs, newest first. */
export const runsApi = {
  get: (id: string) => request<RunDetail>('GET', `${V1}/runs/${enc(id)}`),
  list: (query: { status?: RunStatus; flowId?: string; cursor?: string } = {}) => {
    const params = new URLSearchParams({ limit: '50' })
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
    return request<Items<RunListItem>>('GET', `${V1}/runs?${params.toString()}`)
  },
}

/** Agents. */
export const agentsApi = {
  list: () => request<Items<Agent>>('GET', `${V1}/agents`),
  get: (id: string) => request<Agent>('GET', `${V1}/agents/${enc(id)}`),
  create: (body: { name: string; email: string }) => request<Agent>('POST', `${V1}/agents`, { body }),
  /** With `password`: gives the agent a login for the inbox, or their login a new password (admins only). */
  update: (id: string, body: { name?: string; email?: string; password?: string }) => request<Agent>('PATCH', `${V1}/agents/${enc(id)}`, { body }),
  setStatus: (id: string, status: AgentStatus) => request<Agent>('PUT', `${V1}/agents/${enc(id)}/status`, { body: { status } }),
  remove: (id: string) => request<void>('DELETE', `${V1}/agents/${enc(id)}`),
}

/** API keys for scripts and integrations (`Authorization: Bearer …`). */
export const apiKeysApi = {
  list: () => request<Items<ApiKey>>('GET', `${V1}/api-keys`),
  create: (name: string) => request<CreatedApiKey>('POST', `${V1}/api-keys`, { body: { name } }),
  revoke: (id: string) => request<void>('DELETE', `${V1}/api-keys/${enc(id)}`),
}

/** The logged-in user's own account. */
export const accountApi = {
  /** Ends the user's other sessions; this one stays. */
  changePassword: (body: { currentPassword: string; newPassword: string }) => request<void>('POST', `${V1}/auth/password`, { body }),
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
