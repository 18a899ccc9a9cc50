import {
  findDeliveryForEvent,
  findWebhookToken,
  insertMailEvent,
  insertWebhookToken,
  setMessageDeliveryStatus,
  suppressAddress,
  updateDelivery,
  type DbOrTx,
  type DeliveryRow,
  type JsonObject,
} from '@replyflow/db'
import { normaliseMessageId } from '@replyflow/mail'
import type { DeliveryStatus } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { INBOUND_ERRORS } from '../inbound/inbound.service.ts'

/** The fields of Mailgun's `event-data` we act on (the whole payload is kept as is). */
export interface MailEventData {
  id: string
  event: string
  timestamp?: number
  recipient?: string
  severity?: string
  reason?: string
  'delivery-status'?: { code?: number; message?: string; description?: string }
  message?: { headers?: { 'message-id'?: string } }
}

/** What became of an event. */
export type EventOutcome = 'applied' | 'duplicate' | 'unmatched'

/** Statuses an event never moves a delivery out of: a final verdict isn't undone by a late `delivered`. */
const TERMINAL: readonly DeliveryStatus[] = ['failed', 'complained', 'suppressed']

function failureMessage(data: MailEventData): string {
  const status = data['delivery-status']
  return status?.description || status?.message || data.reason || data.event
}

/** The delivery status an event implies, and whether it suppresses the address (and why). */
function effectOf(data: MailEventData, delivery: DeliveryRow): { status: DeliveryStatus | null; suppress: string | null } {
  switch (data.event) {
    case 'delivered':
      return { status: TERMINAL.includes(delivery.status) ? null : 'delivered', suppress: null }
    case 'failed':
    case 'permanent_fail':
      if (data.severity === 'temporary') return { status: null, suppress: null }
      return { status: 'failed', suppress: data.reason ? `bounce: ${data.reason}` : 'bounce' }
    case 'temporary_fail':
      return { status: null, suppress: null }
    case 'complained':
      return { status: 'complained', suppress: 'complaint' }
    case 'unsubscribed':
    case 'unsubscribe':
      return { status: null, suppress: 'unsubscribed' }
    default:
      return { status: null, suppress: null }
  }
}

function applyEvent(tx: DbOrTx, data: MailEventData, payload: JsonObject, token: string, now: number): EventOutcome {
  const at = new Date(now).toISOString()
  const seen = findWebhookToken(tx, token)
  if (seen && seen.fingerprint !== data.id) throw new ApiError(406, INBOUND_ERRORS.replayed, 'this webhook token was already used for another event')
  const rawId = data.message?.headers?.['message-id']
  const rfcId = rawId ? normaliseMessageId(rawId) : null
  const delivery = rfcId ? findDeliveryForEvent(tx, rfcId) : undefined
  const occurredAt = typeof data.timestamp === 'number' ? new Date(data.timestamp * 1000).toISOString() : null
  const fresh = insertMailEvent(tx, {
    id: data.id,
    deliveryId: delivery?.id ?? null,
    event: data.event,
    severity: data.severity ?? null,
    reason: data.reason ?? null,
    payload,
    occurredAt,
    createdAt: at,
  })
  insertWebhookToken(tx, { token, kind: 'event', fingerprint: data.id, createdAt: at })
  if (!fresh) return 'duplicate'
  if (!delivery) return 'unmatched'

  const { status, suppress } = effectOf(data, delivery)
  if (status) {
    updateDelivery(tx, delivery.id, {
      status,
      updatedAt: at,
      ...(status === 'delivered' ? { deliveredAt: occurredAt ?? at } : {}),
      ...(status === 'failed' || status === 'complained' ? { lastError: { code: `MAILGUN_${data.event.toUpperCase()}`, message: failureMessage(data) } } : {}),
    })
    if (delivery.recipientType === 'customer') setMessageDeliveryStatus(tx, delivery.messageId, status)
  } else if (data.event === 'failed' || data.event === 'temporary_fail') {
    // Mailgun retries temporary failures itself: keep the status, show why it is late.
    updateDelivery(tx, delivery.id, { lastError: { code: 'MAILGUN_TEMPORARY_FAILURE', message: failureMessage(data) }, updatedAt: at })
  }
  if (suppress) suppressAddress(tx, data.recipient ?? delivery.address, suppress, at)
  return 'applied'
}

/**
 * Applies one Mailgun event (already signature-checked) in one transaction:
 * recorded once by `event-data.id`, the delivery (and an answer's message)
 * moved to its new status, and the address suppressed after a permanent
 * failure, a complaint or an unsubscribe.
 */
export function receiveMailEvent(deps: Pick<AppDeps, 'db' | 'now' | 'logger'>, data: MailEventData, payload: JsonObject, token: string): EventOutcome {
  const outcome = deps.db.transaction((tx) => applyEvent(tx, data, payload, token, deps.now()))
  deps.logger.info({ eventId: data.id, event: data.event, severity: data.severity, outcome }, 'mail event')
  return outcome
}
