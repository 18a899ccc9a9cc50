/** @replyflow/db — the SQLite schema, migrations and repositories (drizzle-orm on better-sqlite3). */
export { MIGRATIONS_FOLDER, closeDb, createDb, migrate, pingDb } from './client.ts'
export { inGroupCommit } from './group-commit.ts'
export type { Db, DbOrTx, Tx } from './client.ts'
export { isId, newId } from './id.ts'
export {
  AGENT_STATUSES,
  AUTHOR_TYPES,
  CONVERSATION_STATUSES,
  DIRECTIONS,
  RECIPIENT_TYPES,
  USER_ROLES,
} from './values.ts'
export type {
  AgentStatus,
  AuthorType,
  ConversationStatus,
  Direction,
  JsonObject,
  JsonValue,
  MessageFlags,
  RecipientType,
  UserRole,
} from './values.ts'
export {
  agents,
  apiKeys,
  attachments,
  conversationAssignees,
  conversations,
  customers,
  deliveries,
  flowVersions,
  flows,
  idempotencyKeys,
  mailEvents,
  messages,
  runEffects,
  runSteps,
  runs,
  sessions,
  settings,
  suppressions,
  users,
  webhookTokens,
} from './schema.ts'
export type { DeliveryError, RunResume, StoredEffect, StoredRunError } from './schema.ts'
export {
  countUsers,
  deleteSession,
  deleteSessionsOfUser,
  deleteUser,
  findAgentIdOfUser,
  findApiKeyUser,
  findPasswordHash,
  findSessionUser,
  findUser,
  findUserForLogin,
  insertApiKey,
  insertSession,
  insertUser,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
  updatePasswordHash,
  updateUserIdentity,
} from './repositories/users.ts'
export type { ApiKeyRecord, UserRecord } from './repositories/users.ts'
export {
  activeFlowsForTrigger,
  deleteFlow,
  disableFlows,
  enabledFlowsWithTrigger,
  findFlow,
  findVersion,
  findVersionById,
  findVersionsByIds,
  insertFlow,
  insertVersion,
  listFlows,
  listVersions,
  nextVersionNumber,
  updateFlow,
} from './repositories/flows.ts'
export type { FlowRow, FlowVersionRow, FlowVersionSummary, FlowWithVersion } from './repositories/flows.ts'
export {
  claimEffect,
  findIdempotencyKey,
  findRun,
  findRuns,
  findRunStates,
  insertIdempotencyKey,
  insertRun,
  insertSteps,
  listRuns,
  listRunsOfFlow,
  listSteps,
  markRunsEnqueued,
  runsToDispatch,
  updateRun,
} from './repositories/runs.ts'
export type { RunListRow, RunRow, RunState, RunStepRow, RunWithVersion } from './repositories/runs.ts'
export {
  conversationMailIds,
  countOnlineAgents,
  countRecentDeliveriesTo,
  findAgentByEmail,
  findAttachment,
  findConversationById,
  findCustomerByEmail,
  findCustomerById,
  findDeliveriesByRfcIds,
  findDeliveryForEvent,
  findMessageById,
  findMessagesByRfcIds,
  findSuppression,
  findSuppressions,
  findWebhookToken,
  insertAttachments,
  insertConversation,
  insertCustomer,
  insertDelivery,
  insertMailEvent,
  insertMessage,
  insertWebhookToken,
  liftSuppression,
  listAttachmentsOfMessages,
  listSuppressions,
  MAIL_ID_SECRET_KEY,
  mailSettingValue,
  markDeliveriesEnqueued,
  setMessageDeliveryStatus,
  suppressAddress,
  touchConversation,
  updateDelivery,
} from './repositories/mail.ts'
export type { AttachmentRow, ConversationRow, CustomerRow, DeliveryRow, MessageRow, SuppressionRow } from './repositories/mail.ts'
export { findCustomerByPhone, listCustomers, updateCustomer } from './repositories/customers.ts'
export { agentSnapshots, deleteAgent, findAgent, findAgents, insertAgent, listAgents, updateAgent } from './repositories/agents.ts'
export type { AgentRow } from './repositories/agents.ts'
export { getSetting, putSetting } from './repositories/settings.ts'
export {
  addAssignees,
  assigneesOf,
  findOpenConversation,
  listConversations,
  removeAssignees,
  updateConversation,
} from './repositories/conversations.ts'
export type { ConversationCursor } from './repositories/conversations.ts'
export { latestInboundMessage, listMessages } from './repositories/messages.ts'
export { deliveriesOfMessages, deliveriesToDispatch, findDeliveries } from './repositories/deliveries.ts'
export { deliveriesPastLease, markDeliveriesRehanded, markRunsRehanded, runsPastLease } from './repositories/leases.ts'
