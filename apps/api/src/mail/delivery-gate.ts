import { countRecentDeliveriesTo, findSuppression, type DbOrTx } from '@replyflow/db'

/** Most automated mails (agent notifications) one address gets per hour; more are held back, so a loop can't flood anyone. */
export const AUTOMATED_MAIL_CAP = { perHour: 30 } as const

/** Why a delivery is held back instead of sent. */
export const HELD_BACK = {
  suppressed: 'MAIL_ADDRESS_SUPPRESSED',
  capped: 'MAIL_RATE_CAPPED',
} as const

/** What to do with a new delivery: queue it, or mark it `suppressed` with the reason. */
export type Gate = { status: 'queued' } | { status: 'suppressed'; error: { code: string; message: string } }

/**
 * Decides whether a new mail to `address` may be sent: never to a suppressed
 * address (hard bounce, complaint, unsubscribe), and automated mail only up to
 * {@link AUTOMATED_MAIL_CAP} per recipient per hour.
 */
export function deliveryGate(db: DbOrTx, address: string, options: { automated: boolean; now: number; capPerHour?: number }): Gate {
  const suppression = findSuppression(db, address)
  if (suppression) {
    return { status: 'suppressed', error: { code: HELD_BACK.suppressed, message: `${address} is suppressed (${suppression.reason})` } }
  }
  // `capPerHour` 0 turns the cap off (AUTOMATED_MAIL_CAP_PER_HOUR=0, e.g. for `pnpm bench`).
  const cap = options.capPerHour ?? AUTOMATED_MAIL_CAP.perHour
  if (options.automated && cap > 0) {
    const since = new Date(options.now - 60 * 60 * 1000).toISOString()
    if (countRecentDeliveriesTo(db, address, since) >= cap) {
      return { status: 'suppressed', error: { code: HELD_BACK.capped, message: `more than ${cap} automated mails to ${address} within an hour` } }
    }
  }
  return { status: 'queued' }
}
