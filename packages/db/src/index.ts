/** @replyflow/db — the SQLite schema, migrations and repositories (drizzle-orm on better-sqlite3). */
export { MIGRATIONS_FOLDER, closeDb, createDb, migrate, pingDb } from './client.ts'
export type { Db, DbOrTx, Tx } from './client.ts'
export { newId } from './id.ts'
export {
  AGENT_STATUSES,
  AUTHOR_TYPES,
  CONVERSATION_STATUSES,
  DELIVERY_STATUSES,
  DIRECTIONS,
  FINAL_DELIVERY_STATUSES,
  RECIPIENT_TYPES,
  RUN_STATUSES,
  USER_ROLES,
} from './values.ts'
export type {
  AgentStatus,
  AuthorType,
  ConversationStatus,
  DeliveryStatus,
  Direction,
  JsonObject,
  JsonValue,
  MessageFlags,
  RecipientType,
  RunStatus,
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
export type { DeliveryError, RunResume } from './schema.ts'
export {
  countUsers,
  deleteSession,
  findAgentIdOfUser,
  findApiKeyUser,
  findSessionUser,
  findUser,
  findUserForLogin,
  insertApiKey,
  insertSession,
  insertUser,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from './repositories/users.ts'
export type { ApiKeyRecord, UserRecord } from './repositories/users.ts'
