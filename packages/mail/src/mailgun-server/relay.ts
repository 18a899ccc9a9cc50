import { randomUUID } from 'node:crypto'
import addressparser from 'nodemailer/lib/addressparser'
import { parseMessageIdList } from '../signed-ids.ts'
import { buildEventPost, buildForwardPost, buildMimePost, encodePost, type MailDescription } from '../testing/mailgun-posts.ts'
import type { RouteTable } from './inbound-routes.ts'
import type { Mailbox, RecordedMessage } from './mailbox.ts'

/** Signs forwards and events when the host gives no key (never Mailgun's real one: the signing key is not the API key). */
export const DEFAULT_WEBHOOK_SIGNING_KEY = 'local-webhook-signing-key'

/** Event webhook URLs by domain and webhook id, as `POST /v3/domains/:domain/webhooks` set them. */
export interface WebhookTable {
  set(domain: string, id: string, urls: string[]): void
  get(domain: string, id: string): string[]
  remove(domain: string, id: string): boolean
  list(domain: string): Record<string, string[]>
}

/** A new, empty webhook table. */
export function createWebhookTable(): WebhookTable {
  const byDomain = new Map<string, Map<string, string[]>>()
  const of = (domain: string) => byDomain.get(domain) ?? byDomain.set(domain, new Map()).get(domain) ?? new Map<string, string[]>()
  return {
    set: (domain, id, urls) => void of(domain).set(id, [...urls]),
    get: (domain, id) => byDomain.get(domain)?.get(id) ?? [],
    remove: (domain, id) => byDomain.get(domain)?.delete(id) ?? false,
    list: (domain) => Object.fromEntries(byDomain.get(domain) ?? []),
  }
}

/** One post the server made (or tried) to a route's forward URL or an event webhook. */
export interface RelayRecord {
  kind: 'forward' | 'event'
  url: string
  messageId: string
  recipient: string
  event: string | null
  /** The last answer's status, or null when the URL could not be reached. */
  status: number | null
  attempts: number
  at: string
}

/** Options of {@link createRelay}. */
export interface RelayOptions {
  mailbox: Mailbox
  routes: RouteTable
  webhooks: WebhookTable
  /** Mailgun's "HTTP webhook signing key": signs forwards and events. */
  signingKey: string
  /** Waits before each retry of a post answered with other than 2xx or 406 (Mailgun retries for hours; we don't). */
  retryDelaysMs?: readonly number[]
}

/** What the relay did, for the control surface and tests. */
export interface Relay {
  routes: RouteTable
  webhooks: WebhookTable
  records(): readonly RelayRecord[]
  /** Resolves once every post started so far has finished (retries included). */
  idle(): Promise<void>
  /**
   * Mail arriving from outside (a customer's or an agent's mail client): runs
   * it through the routes for each recipient (`to`, `cc`), as Mailgun's MX
   * would, and resolves with the forwards once they finished. Not recorded as
   * a sent message.
   */
  receive(mail: MailDescription): Promise<RelayRecord[]>
  /** Addresses that hard-bounce: mail to them yields a permanent `failed` event instead of `delivered`. */
  bounce(address: string): void
  bounced(): string[]
  clear(): void
  close(): void
}

function bare(list: readonly string[]): string[] {
  return list.flatMap((entry) => addressparser(entry, { flatten: true }).map((a) => a.address.toLowerCase())).filter((a) => a.includes('@'))
}

const THREAD_HEADERS = new Set(['message-id', 'in-reply-to', 'references'])

/** The recorded message as the mail the recipient's MX received. */
function describe(message: RecordedMessage, recipient: string): MailDescription {
  const header = (name: string) => Object.entries(message.headers).find(([key]) => key.toLowerCase() === name)?.[1]
  return {
    from: message.from,
    to: message.to,
    cc: message.cc,
    recipient,
    subject: message.subject ?? '',
    text: message.text ?? '',
    ...(message.html ? { html: message.html } : {}),
    messageId: message.id,
    ...(header('in-reply-to') ? { inReplyTo: header('in-reply-to') } : {}),
    references: parseMessageIdList(header('references')),
    headers: Object.fromEntries(Object.entries(message.headers).filter(([key]) => !THREAD_HEADERS.has(key.toLowerCase()))),
    // Bytes the mailbox already dropped can't be forwarded; the rest go as attachment-N, like Mailgun's.
    attachments: message.attachments.flatMap((a) => (a.content ? [{ filename: a.filename, contentType: a.contentType, content: a.content }] : [])),
  }
}

/**
 * Makes the local server behave like Mailgun after it accepts a message: mail
 * to an address a route matches is posted to the route's forward URL in the
 * forward() format (raw MIME when the URL ends in `mime`), and configured
 * event webhooks get `delivered` (or, for addresses told to bounce, a permanent
 * `failed`) — all signed with the webhook signing key.
 */
export function createRelay(options: RelayOptions): Relay {
  const { mailbox, routes, webhooks, signingKey, retryDelaysMs = [200, 1_000, 3_000] } = options
  const records: RelayRecord[] = []
  const inFlight = new Set<Promise<void>>()
  const bounces = new Set<string>()

  async function postWithRetries(record: RelayRecord, body: () => Promise<{ contentType: string; body: Buffer | string }>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      record.attempts = attempt + 1
      try {
        const encoded = await body()
        const response = await fetch(record.url, { method: 'POST', headers: { 'content-type': encoded.contentType }, body: encoded.body })
        record.status = response.status
        await response.arrayBuffer()
        if (response.ok || response.status === 406) return
      } catch {
        // Unreachable: retried like any other failure.
        record.status = null
      }
      const delay = retryDelaysMs[attempt]
      if (delay === undefined) return
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }

  function start(record: RelayRecord, body: () => Promise<{ contentType: string; body: Buffer | string }>): Promise<void> {
    records.push(record)
    const task = postWithRetries(record, body).finally(() => inFlight.delete(task))
    inFlight.add(task)
    return task
  }

  /** Posts a mail to the forward URLs of the routes its recipient matches; resolves with what was started. */
  function forward(mail: MailDescription, recipient: string, at: string): Array<{ record: RelayRecord; task: Promise<void> }> {
    const threading = {
      ...(mail.messageId ? { 'Message-Id': mail.messageId } : {}),
      ...(mail.inReplyTo ? { 'In-Reply-To': mail.inReplyTo } : {}),
      ...(mail.references?.length ? { References: mail.references.join(' ') } : {}),
    }
    const headers = { ...mail.headers, ...threading, From: mail.from, To: [mail.to].flat().join(', '), Subject: mail.subject }
    return routes.forwardsFor({ recipient, headers }).map((url) => {
      const described = { ...mail, recipient }
      const record: RelayRecord = { kind: 'forward', url, messageId: mail.messageId ?? '', recipient, event: null, status: null, attempts: 0, at }
      // Multipart when the mail has attachments, as Mailgun posts them; raw MIME for URLs ending in `mime`.
      const task = start(record, async () =>
        encodePost(/mime\/?$/.test(new URL(url).pathname) ? await buildMimePost(described, { signingKey }) : buildForwardPost(described, { signingKey })),
      )
      return { record, task }
    })
  }

  const unsubscribe = mailbox.onMessage((message) => {
    const at = new Date().toISOString()
    for (const recipient of bare([...message.to, ...message.cc, ...message.bcc])) {
      forward(describe(message, recipient), recipient, at)
      const failed = bounces.has(recipient)
      const webhookId = failed ? 'permanent_fail' : 'delivered'
      for (const url of webhooks.get(message.domain, webhookId)) {
        const event = buildEventPost(
          {
            event: failed ? 'failed' : 'delivered',
            recipient,
            messageId: message.id,
            ...(failed ? { severity: 'permanent' as const, reason: 'bounce', deliveryStatus: { code: 550, message: '5.1.1 The email account that you tried to reach does not exist' } } : { deliveryStatus: { code: 250, message: 'OK' } }),
            userVariables: message.variables,
            tags: message.tags,
          },
          { signingKey },
        )
        void start({ kind: 'event', url, messageId: message.id, recipient, event: failed ? 'failed' : 'delivered', status: null, attempts: 0, at }, async () => ({
          contentType: 'application/json',
          body: JSON.stringify(event),
        }))
      }
    }
  })

  return {
    routes,
    webhooks,
    records: () => records,
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
    async receive(received) {
      const at = new Date().toISOString()
      // One Message-Id for every forward of this mail, as a real mail has.
      const mail = received.messageId ? received : { ...received, messageId: `<${randomUUID()}@mailbox.local>` }
      const recipients = mail.recipient ? [mail.recipient.toLowerCase()] : bare([...[mail.to].flat(), ...(mail.cc ?? [])])
      const started = recipients.flatMap((recipient) => forward(mail, recipient, at))
      await Promise.all(started.map(({ task }) => task))
      return started.map(({ record }) => record)
    },
    bounce: (address) => void bounces.add(address.toLowerCase()),
    bounced: () => [...bounces],
    clear() {
      records.length = 0
      bounces.clear()
    },
    close: unsubscribe,
  }
}
