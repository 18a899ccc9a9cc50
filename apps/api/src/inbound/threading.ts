import { findConversationById, findCustomerById, findDeliveriesByRfcIds, findMessagesByRfcIds, type DbOrTx } from '@replyflow/db'
import { parseMessageId, parseReplyAddress, type InboundMail } from '@replyflow/mail'

/** How an inbound mail found its conversation, in the order they are tried. */
export type ThreadVia = 'reply-address' | 'in-reply-to' | 'references'

/** The conversation an inbound mail belongs to. */
export interface ThreadMatch {
  conversationId: string
  via: ThreadVia
}

/** What the mail's threading headers say, for threading and for trusting an agent's reply. */
export interface ThreadResolution {
  match: ThreadMatch | null
  /** (conversation, agent) pairs of the signed notification ids the mail answers. */
  notified: Array<{ conversationId: string; agentId: string }>
}

/**
 * Finds the conversation of an inbound mail: our signed reply address among the
 * recipients, then In-Reply-To, then References (newest first). An id is ours
 * when its signature checks; otherwise it is looked up among earlier inbound
 * mail and our deliveries — and then only accepted when the conversation's
 * customer is the sender, so guessing someone's Message-Id can't join their thread.
 */
export function resolveThread(db: DbOrTx, mail: InboundMail, secret: string, senderEmail: string | null): ThreadResolution {
  const notified: ThreadResolution['notified'] = []
  const ids = [...mail.inReplyTo, ...mail.references]
  for (const id of ids) {
    const parts = parseMessageId(id, secret)
    if (parts?.agentId) notified.push({ conversationId: parts.conversationId, agentId: parts.agentId })
  }

  const exists = (conversationId: string): boolean => findConversationById(db, conversationId) !== undefined
  const addresses = [...mail.recipients, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)]
  for (const address of addresses) {
    const reply = parseReplyAddress(address, secret)
    if (reply && exists(reply.conversationId)) return { match: { conversationId: reply.conversationId, via: 'reply-address' }, notified }
  }

  const senderOwns = (conversationId: string): boolean => {
    const conversation = findConversationById(db, conversationId)
    if (!conversation || !senderEmail) return false
    return findCustomerById(db, conversation.customerId)?.email === senderEmail.toLowerCase()
  }
  const lookup = (candidates: readonly string[], via: ThreadVia): ThreadMatch | null => {
    for (const id of candidates) {
      const signed = parseMessageId(id, secret)
      if (signed && exists(signed.conversationId)) return { conversationId: signed.conversationId, via }
      const known = [...findMessagesByRfcIds(db, [id]), ...findDeliveriesByRfcIds(db, [id])]
      const owned = known.find((row) => senderOwns(row.conversationId))
      if (owned) return { conversationId: owned.conversationId, via }
    }
    return null
  }
  const match = lookup(mail.inReplyTo, 'in-reply-to') ?? lookup([...mail.references].reverse(), 'references')
  return { match, notified }
}
