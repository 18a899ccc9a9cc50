import { findDeliveries, inGroupCommit, setMessageDeliveryStatus, updateDelivery } from '@replyflow/db'
import { SETTLED_DELIVERY_STATUSES, type ClaimedDelivery, type DeliveryResult, type DeliveryStatus } from '@replyflow/queue'
import type { AppDeps } from '../deps.ts'

/**
 * Claims deliveries for sending: `queued` and `retrying` ones become `sending`;
 * settled ones come back as they are, for the worker to skip. Unknown ids are left out.
 */
export function claimDeliveries(deps: Pick<AppDeps, 'db' | 'now'>, deliveryIds: readonly string[]): Promise<ClaimedDelivery[]> {
  return inGroupCommit(deps.db, (tx) => {
    const now = new Date(deps.now()).toISOString()
    return findDeliveries(tx, [...new Set(deliveryIds)]).map((delivery) => {
      if (!SETTLED_DELIVERY_STATUSES.has(delivery.status) && delivery.status !== 'sending') {
        updateDelivery(tx, delivery.id, { status: 'sending', updatedAt: now })
        if (delivery.recipientType === 'customer') setMessageDeliveryStatus(tx, delivery.messageId, 'sending')
        return { deliveryId: delivery.id, status: 'sending', mail: delivery.mail }
      }
      return { deliveryId: delivery.id, status: delivery.status, mail: delivery.mail }
    })
  })
}

/**
 * Records send outcomes: status, provider id, attempts and last error, mirrored
 * on the message for answers to customers. A delivery that Mailgun's events
 * already moved past `sent` keeps that later status.
 */
export function reportDeliveries(deps: Pick<AppDeps, 'db' | 'now'>, results: readonly DeliveryResult[]): Promise<{ deliveryId: string; status: DeliveryStatus }[]> {
  return inGroupCommit(deps.db, (tx) => {
    const now = new Date(deps.now()).toISOString()
    const byId = new Map(findDeliveries(tx, results.map((result) => result.deliveryId)).map((delivery) => [delivery.id, delivery]))
    const items: { deliveryId: string; status: DeliveryStatus }[] = []
    for (const result of results) {
      const delivery = byId.get(result.deliveryId)
      if (!delivery) continue
      const later = delivery.status === 'delivered' || delivery.status === 'complained' || (delivery.status === 'failed' && result.status !== 'failed')
      const status: DeliveryStatus = later ? delivery.status : result.status
      updateDelivery(tx, delivery.id, {
        status,
        providerId: result.providerId ?? delivery.providerId,
        attempts: Math.max(delivery.attempts, result.attempt),
        // A Mailgun event that already failed the delivery keeps its reason; a late 'sent' must not erase it.
        lastError: later ? delivery.lastError : (result.error ?? (result.status === 'sent' ? null : delivery.lastError)),
        sentAt: result.status === 'sent' ? (delivery.sentAt ?? now) : delivery.sentAt,
        updatedAt: now,
      })
      if (delivery.recipientType === 'customer') setMessageDeliveryStatus(tx, delivery.messageId, status)
      items.push({ deliveryId: delivery.id, status })
      byId.set(delivery.id, { ...delivery, status })
    }
    return items
  })
}
