import { formatAddress, headerValue, referencesHeader, replySubject } from './headers.ts'
import type { OutboundAttachment, OutboundMail } from './outbound-mail.ts'
import { createMessageId, createReplyAddress, parseMessageIdList } from './signed-ids.ts'

/** The line our notifications put above the customer's message; text above it is the agent's reply. */
export const REPLY_SEPARATOR = '## Reply above this line ## / 请在此行以上回复'

/** Tags (Mailgun `o:tag`) of the mail we send, so Mailgun's analytics tell them apart. */
export const MAIL_TAGS = {
  agentNotification: 'agent-notification',
  customerReply: 'customer-reply',
} as const
/** The kind of a mail we send (its tag). */
export type MailKind = (typeof MAIL_TAGS)[keyof typeof MAIL_TAGS]

/** Settings → Customer offline message handling → EMAIL. */
export interface OfflineEmailSettings {
  senderMode: 'team' | 'agent'
  /** The team's shared address: the recipient the Mailgun route matches. */
  teamAddress: string
}

/**
 * Whether mail From `address` can pass SPF/DMARC when Mailgun sends it for
 * `domain`: the address is on that domain, or on the domain it belongs to
 * (`ann@example.com` through `mg.example.com`: DMARC's relaxed alignment).
 */
function sendableFrom(address: string, domain: string): boolean {
  const at = address.lastIndexOf('@')
  const own = address.slice(at + 1).toLowerCase()
  const mail = domain.toLowerCase()
  return at > 0 && own.includes('.') && (own === mail || mail.endsWith(`.${own}`))
}

/** Input of {@link composeAgentNotification}. */
export interface AgentNotificationInput {
  settings: OfflineEmailSettings
  agent: { id: string; name: string | null; email: string }
  customer: { name: string | null; email: string | null; phone?: string | null }
  conversation: {
    id: string
    subject?: string | null
    /** Message-Ids of earlier mail in this conversation, oldest first, to thread the notification with. */
    references?: readonly string[]
  }
  /** The customer's message, as converted by the flow. */
  message: { id: string; subject?: string | null; text: string }
  /** The mail domain (Mailgun domain) of our Message-Ids and reply addresses. */
  domain: string
  /** The secret our ids are signed with. */
  secret: string
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char)
}

/**
 * In-Reply-To the parent (the last of `references` when none is named) and
 * References oldest first, ending with the parent (RFC 5322 §3.6.4): mail the
 * conversation saw after the parent (e.g. an earlier answer to it) is left out,
 * or clients would thread the reply under a later message.
 */
function threading(references: readonly string[] | undefined, inReplyTo?: string | null): Record<string, string> {
  const known = parseMessageIdList((references ?? []).join(' '))
  const parent = parseMessageIdList(inReplyTo)[0] ?? known[known.length - 1]
  if (!parent) return {}
  const at = known.indexOf(parent)
  const chain = [...new Set(at >= 0 ? known.slice(0, at) : known)].filter((id) => id !== parent)
  chain.push(parent)
  return { 'In-Reply-To': parent, References: referencesHeader(chain) }
}

/**
 * The e-mail telling an agent about a customer's message. Replying to it (above
 * the separator) answers the customer: Reply-To is the conversation's signed
 * reply address and the Message-Id is signed per (message, agent), so the reply
 * is threaded and attributed to this agent. It comes from the team address or,
 * in sender mode `agent`, from the agent's own address when that can pass
 * SPF/DMARC through the mail domain ({@link sendableFrom}); otherwise from the
 * team address under the agent's name.
 * @example composeAgentNotification({ settings, agent, customer, conversation, message, domain: 'mg.example.com', secret })
 */
export function composeAgentNotification(input: AgentNotificationInput): OutboundMail {
  const { settings, agent, customer, conversation, message, domain, secret } = input
  const customerLabel = customer.name || customer.email || customer.phone || 'Customer'
  const from =
    settings.senderMode === 'team'
      ? formatAddress(`${customerLabel} (Replyflow)`, settings.teamAddress)
      : sendableFrom(agent.email, domain)
        ? formatAddress(`${customerLabel} (Replyflow)`, agent.email)
        : formatAddress(agent.name || agent.email, settings.teamAddress)
  const customerLine = customer.email && customer.name ? `${customer.name} <${customer.email}>` : customerLabel
  const subject = headerValue(message.subject || conversation.subject || '') || '(no subject)'
  const text = [REPLY_SEPARATOR, '', `${customerLine}:`, '', message.text, ''].join('\n')
  const html = [
    `<p style="color:#888">${escapeHtml(REPLY_SEPARATOR)}</p>`,
    `<p><strong>${escapeHtml(customerLine)}</strong>:</p>`,
    `<div style="white-space:pre-wrap">${escapeHtml(message.text)}</div>`,
  ].join('\n')
  return {
    from,
    to: [formatAddress(agent.name, agent.email)],
    subject,
    text,
    html,
    headers: {
      'Message-Id': createMessageId({ conversationId: conversation.id, messageId: message.id, agentId: agent.id, domain, secret }),
      'Reply-To': createReplyAddress({ conversationId: conversation.id, domain, secret }),
      ...threading(conversation.references),
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Loop': headerValue(settings.teamAddress),
      Precedence: 'bulk',
    },
    tags: [MAIL_TAGS.agentNotification],
    variables: { kind: MAIL_TAGS.agentNotification, conversationId: conversation.id, messageId: message.id, agentId: agent.id },
  }
}

/** Input of {@link composeCustomerReply}. */
export interface CustomerReplyInput {
  /** The team's shared address, which the customer wrote to. */
  teamAddress: string
  /** The answering agent; their name is the display name of From. */
  agent?: { id: string; name: string | null } | null
  customer: { name: string | null; email: string }
  conversation: { id: string; subject?: string | null }
  /** The agent's answer. `html` must already be sanitised. */
  message: { id: string; text: string; html?: string | null }
  /** Files the agent attached, sent by reference (the sender fetches their bytes). */
  attachments?: readonly OutboundAttachment[]
  /** The Message-Id of the customer's last mail, which this answers. */
  inReplyTo?: string | null
  /** Message-Ids of the conversation's mail so far, oldest first. */
  references?: readonly string[]
  domain: string
  secret: string
}

/**
 * An agent's answer mailed to the customer from the team address, threaded
 * under the customer's last mail (In-Reply-To, References) with a signed Message-Id.
 * @example composeCustomerReply({ teamAddress, customer, conversation, message, inReplyTo, references, domain, secret })
 */
export function composeCustomerReply(input: CustomerReplyInput): OutboundMail {
  const { teamAddress, agent, customer, conversation, message, inReplyTo, references, domain, secret, attachments = [] } = input
  const mail: OutboundMail = {
    from: formatAddress(agent?.name, teamAddress),
    to: [formatAddress(customer.name, customer.email)],
    subject: replySubject(conversation.subject),
    text: message.text,
    headers: {
      'Message-Id': createMessageId({ conversationId: conversation.id, messageId: message.id, domain, secret }),
      'Reply-To': createReplyAddress({ conversationId: conversation.id, domain, secret }),
      ...threading(references, inReplyTo),
      // Not Auto-Submitted: a person wrote this answer. X-Loop still lets us spot it if it comes back.
      'X-Loop': headerValue(teamAddress),
    },
    tags: [MAIL_TAGS.customerReply],
    variables: { kind: MAIL_TAGS.customerReply, conversationId: conversation.id, messageId: message.id, ...(agent ? { agentId: agent.id } : {}) },
  }
  if (message.html) mail.html = message.html
  if (attachments.length > 0) mail.attachments = attachments.map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size }))
  return mail
}
