import {
  activeFlowsForTrigger,
  countOnlineAgents,
  findAgentByEmail,
  findConversationById,
  findCustomerByEmail,
  findMessagesByRfcIds,
  findWebhookToken,
  inGroupCommit,
  insertAttachments,
  insertConversation,
  insertCustomer,
  insertMessage,
  insertRun,
  insertWebhookToken,
  newId,
  touchConversation,
  type CustomerRow,
  type DbOrTx,
  type MessageFlags,
} from '@replyflow/db'
import type { FlowTrigger } from '@replyflow/flow'
import {
  detectAutomated,
  extractReplyContent,
  failsAuthentication,
  isMailboxAddress,
  mailFingerprint,
  sanitiseMailHtml,
  senderAuthentication,
  type AutomatedReason,
  type InboundMail,
} from '@replyflow/mail'
import { createAgentAnswer } from '../answers/agent-answer.service.ts'
import type { AppDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { ATTACHMENT_LIMITS, removeAttachmentFiles, writeAttachmentFile, type StoredFile } from '../mail/attachment-store.ts'
import { handOver } from '../mail/hand-over.ts'
import { attachmentsDir, mailIdentity, offlineEmailSettings, type MailIdentity } from '../mail/mail-identity.ts'
import { resolveThread, type ThreadResolution } from './threading.ts'

/** What became of an inbound mail. */
export type InboundKind = 'customer' | 'agent-answer' | 'unverified-agent' | 'automated'

/** The answer of {@link receiveInboundMail}. */
export interface InboundOutcome {
  status: 'stored' | 'duplicate'
  kind: InboundKind | null
  messageId: string | null
  conversationId: string | null
  runIds: string[]
  deliveryIds: string[]
}

/** Codes of refused inbound posts; Mailgun gets 406 for them and stops retrying. */
export const INBOUND_ERRORS = {
  badSignature: 'MAIL_WEBHOOK_BAD_SIGNATURE',
  replayed: 'MAIL_WEBHOOK_REPLAYED',
} as const

/** The URL the inbox loads an attachment from (authenticated). */
export function attachmentUrl(attachmentId: string): string {
  return `/api/v1/attachments/${attachmentId}`
}

interface PreparedAttachment {
  id: string
  filename: string
  contentType: string
  size: number
  contentId: string | null
  file: StoredFile
}

const duplicate = (): InboundOutcome => ({ status: 'duplicate', kind: null, messageId: null, conversationId: null, runIds: [], deliveryIds: [] })

/** Seen token: the same mail again is a retry, other content under it a replay. */
function checkToken(db: DbOrTx, token: string, fingerprint: string): 'new' | 'retry' {
  const seen = findWebhookToken(db, token)
  if (!seen) return 'new'
  if (seen.fingerprint === fingerprint) return 'retry'
  throw new ApiError(406, INBOUND_ERRORS.replayed, 'this webhook token was already used for another message')
}

/** Writes the files first (they need no transaction); keeps within the limits, in order. */
async function prepareAttachments(dir: string, mail: InboundMail, now: number): Promise<{ prepared: PreparedAttachment[]; dropped: boolean }> {
  const prepared: PreparedAttachment[] = []
  let total = 0
  let dropped = false
  for (const attachment of mail.attachments) {
    if (prepared.length >= ATTACHMENT_LIMITS.count || attachment.size > ATTACHMENT_LIMITS.fileBytes || total + attachment.size > ATTACHMENT_LIMITS.totalBytes) {
      dropped = true
      continue
    }
    total += attachment.size
    const id = newId(now)
    const file = await writeAttachmentFile(dir, id, attachment.content)
    prepared.push({ id, filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, contentId: attachment.contentId, file })
  }
  return { prepared, dropped }
}

function flagsFor(reason: AutomatedReason | null, extra: MessageFlags): MessageFlags {
  const flags: MessageFlags = { ...extra }
  if (reason) flags.autoReply = true
  if (reason === 'spam') flags.spam = true
  if (reason === 'bounce') flags.bounce = true
  return flags
}

function findOrCreateCustomer(tx: DbOrTx, address: string | null, name: string | null, at: string, now: number): CustomerRow {
  const existing = address ? findCustomerByEmail(tx, address) : undefined
  if (existing) return existing
  const row = { id: newId(now), name: name || null, email: address, phone: null, custom: {}, suppressedAt: null, suppressionReason: null, createdAt: at, updatedAt: at }
  insertCustomer(tx, row)
  return { ...row, email: address?.toLowerCase() ?? null }
}

/** Triggers an inbound customer mail starts: `email.received`, and `message.offline` when no agent is online. */
function triggersFor(tx: DbOrTx): FlowTrigger[] {
  return countOnlineAgents(tx) === 0 ? ['email.received', 'message.offline'] : ['email.received']
}

interface StoreContext {
  mail: InboundMail
  token: string
  fingerprint: string
  identity: MailIdentity
  attachments: PreparedAttachment[]
  attachmentsDropped: boolean
  now: number
}

function storeInTransaction(tx: DbOrTx, deps: Pick<AppDeps, 'config' | 'db'>, ctx: StoreContext): InboundOutcome {
  const { mail, identity, now } = ctx
  const at = new Date(now).toISOString()
  if (checkToken(tx, ctx.token, ctx.fingerprint) === 'retry') return duplicate()
  if (mail.messageId && findMessagesByRfcIds(tx, [mail.messageId]).length > 0) {
    // Mailgun re-posted a mail we have (perhaps re-signed): stored once; remember the token as a retry of it.
    insertWebhookToken(tx, { token: ctx.token, kind: 'inbound', fingerprint: ctx.fingerprint, createdAt: at })
    return duplicate()
  }

  const settings = offlineEmailSettings(deps)
  const envelopeSender = mail.sender && isMailboxAddress(mail.sender) ? mail.sender.toLowerCase() : null
  const senderEmail = mail.from?.address ?? envelopeSender
  const reason = detectAutomated(mail, { addresses: [settings.teamAddress], secret: identity.secret })
  const thread: ThreadResolution = resolveThread(tx, mail, identity.secret, senderEmail)
  const agent = senderEmail ? findAgentByEmail(tx, senderEmail) : undefined
  const content = extractReplyContent(mail)
  const messageId = newId(now)
  const html = mail.rawHtml
    ? sanitiseMailHtml(mail.rawHtml, {
        dropQuotes: true,
        resolveCid: (cid) => {
          const found = ctx.attachments.find((attachment) => attachment.contentId === cid)
          return found ? attachmentUrl(found.id) : null
        },
      })
    : null
  const baseFlags: MessageFlags = ctx.attachmentsDropped ? { attachmentsDropped: true } : {}
  // An agent's e-mail reply becomes their answer only when it answers a notification sent to that very agent,
  // in this conversation, and Mailgun doesn't see both SPF and DKIM fail.
  const conversation = thread.match ? findConversationById(tx, thread.match.conversationId) : undefined
  if (agent && conversation && !reason) {
    const answersOwnNotification = thread.notified.some((n) => n.agentId === agent.id && n.conversationId === conversation.id)
    if (answersOwnNotification && !failsAuthentication(senderAuthentication(mail))) {
      const answer = createAgentAnswer(tx, identity, settings, {
        conversation,
        agent: { id: agent.id, name: agent.name },
        content,
        fullText: mail.text,
        html,
        rfcMessageId: mail.messageId,
        flags: baseFlags,
        // The agent's files go to the customer too; `finish` stores them under the answer.
        attachments: ctx.attachments.map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size })),
        now,
      })
      // The answer's message id is the one attachments hang on.
      return finish(tx, ctx, answer.messageId, at, { kind: 'agent-answer', messageId: answer.messageId, conversationId: conversation.id, runIds: [], deliveryIds: answer.deliveryIds })
    }
  }

  // An agent's unverified mail in a known conversation needs no customer record; anything else is someone's.
  const customer = agent && conversation ? null : findOrCreateCustomer(tx, senderEmail, mail.from?.name ?? null, at, now)
  const conversationId = conversation?.id ?? newId(now)
  if (!conversation) {
    insertConversation(tx, { id: conversationId, customerId: customer?.id ?? '', channel: 'email', subject: mail.subject || null, status: 'open', lastMessageAt: at, createdAt: at, updatedAt: at })
  } else {
    touchConversation(tx, conversationId, at)
  }
  // A reply to an agent's notification from someone who is not (or no longer) an agent — a deleted agent, a
  // colleague it was forwarded to — is no customer writing in: kept and flagged like an agent's unverified mail.
  const answersNotification = !agent && conversation !== undefined && thread.notified.some((n) => n.conversationId === conversation.id)
  const unverified = agent !== undefined || answersNotification
  const kind: InboundKind = unverified ? 'unverified-agent' : reason ? 'automated' : 'customer'
  insertMessage(tx, {
    id: messageId,
    conversationId,
    direction: 'in',
    authorType: agent ? 'agent' : 'customer',
    authorId: agent ? agent.id : (customer?.id ?? null),
    channel: 'email',
    subject: mail.subject || null,
    content,
    fullText: mail.text,
    html,
    rfcMessageId: mail.messageId,
    inReplyTo: mail.inReplyTo[0] ?? null,
    references: mail.references,
    flags: flagsFor(reason, unverified ? { ...baseFlags, unverifiedSender: true } : baseFlags),
    createdAt: at,
  })

  // Agents' mail and automated mail never start customer flows.
  const runIds: string[] = []
  if (kind === 'customer') {
    for (const trigger of triggersFor(tx)) {
      for (const flow of activeFlowsForTrigger(tx, trigger).filter((candidate) => candidate.channel === 'email')) {
        const runId = newId(now)
        insertRun(tx, { id: runId, flowId: flow.id, versionId: flow.activeVersionId, status: 'queued', trigger, input: { conversationId, messageId }, conversationId, messageId, createdAt: at })
        runIds.push(runId)
      }
    }
  }
  return finish(tx, ctx, messageId, at, { kind, messageId, conversationId, runIds, deliveryIds: [] })
}

/** Attachment rows on the stored message and the token, last in the transaction. */
function finish(tx: DbOrTx, ctx: StoreContext, messageId: string, at: string, outcome: Omit<InboundOutcome, 'status'>): InboundOutcome {
  insertAttachments(
    tx,
    ctx.attachments.map((attachment) => ({
      id: attachment.id,
      messageId,
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
      contentId: attachment.contentId,
      storagePath: attachment.file.storagePath,
      createdAt: at,
    })),
  )
  insertWebhookToken(tx, { token: ctx.token, kind: 'inbound', fingerprint: ctx.fingerprint, createdAt: at })
  return { status: 'stored', ...outcome }
}

/**
 * Persists an inbound mail — customer, conversation (threaded), message,
 * attachments, and a `queued` run for each matching flow, or an agent's
 * answer with its delivery to the customer — in ONE transaction, together
 * with the webhook token (so a failed attempt doesn't burn it). Resolves once
 * committed, and hands runs and deliveries to the queue after that without
 * waiting for Redis (DESIGN.md §3). A retry of a stored mail is a no-op;
 * a seen token carrying other content is refused.
 */
export async function receiveInboundMail(
  deps: AppDeps,
  mail: InboundMail,
  token: string,
  options: { attachmentsDropped?: boolean } = {},
): Promise<InboundOutcome> {
  const now = deps.now()
  const fingerprint = mailFingerprint(mail)
  const dir = attachmentsDir(deps.config)
  let prepared: PreparedAttachment[] = []
  let dropped = false
  if (mail.attachments.length > 0) {
    // Cheap early answers before writing files; the transaction checks both again, authoritatively.
    if (checkToken(deps.db, token, fingerprint) === 'retry') return duplicate()
    const knownAlready = mail.messageId !== null && findMessagesByRfcIds(deps.db, [mail.messageId]).length > 0
    if (!knownAlready) ({ prepared, dropped } = await prepareAttachments(dir, mail, now))
  }

  const identity = mailIdentity(deps)
  let outcome: InboundOutcome
  try {
    // Mails arriving together share a commit (each still all or nothing): answered 200 only once it is done.
    outcome = await inGroupCommit(deps.db, (tx) =>
      storeInTransaction(tx, deps, { mail, token, fingerprint, identity, attachments: prepared, attachmentsDropped: dropped || options.attachmentsDropped === true, now }),
    )
  } catch (error) {
    await removeAttachmentFiles(dir, prepared.map((attachment) => attachment.file))
    throw error
  }
  if (outcome.status === 'duplicate') await removeAttachmentFiles(dir, prepared.map((attachment) => attachment.file))
  // One line per mail at info: an operator following a customer's mail through the logs starts here.
  deps.logger.info({ messageId: outcome.messageId, conversationId: outcome.conversationId, kind: outcome.kind, status: outcome.status, runs: outcome.runIds.length }, 'inbound mail')
  // Mailgun need not wait for a Redis round trip and a second commit. handOver never throws, and what it can't
  // hand over, the dispatcher does.
  void handOver(deps, { runIds: outcome.runIds, deliveryIds: outcome.deliveryIds })
  return outcome
}
