import { EventEmitter } from 'node:events'

/** An attachment as the local server saw it. */
export interface RecordedAttachment {
  field: 'attachment' | 'inline'
  filename: string
  contentType: string
  size: number
  /** The bytes; null once the mailbox dropped them to stay within its byte budget. */
  content: Buffer | null
}

/** One message accepted by `POST /v3/:domain/messages`, parsed the way Mailgun reads the form. */
export interface RecordedMessage {
  /** Mailgun's id, with angle brackets: the `h:Message-Id` the sender set, or one we made up. */
  id: string
  domain: string
  receivedAt: string
  from: string
  to: string[]
  cc: string[]
  bcc: string[]
  subject: string | null
  text: string | null
  html: string | null
  /** `h:` fields, keyed by header name as sent. */
  headers: Record<string, string>
  /** `v:` fields. */
  variables: Record<string, string>
  /** `o:tag` values. */
  tags: string[]
  /** Other `o:` options (`o:tracking`, `o:testmode`, …), by name without the prefix. */
  options: Record<string, string>
  attachments: RecordedAttachment[]
}

/** An answer the server gives instead of accepting a send. */
export interface PlannedFailure {
  status: number
  message: string
}

/**
 * What the local server remembers: recorded messages, the failures it was told
 * to answer next, and how many sends it saw. Tests and the dev mailbox UI read
 * it through the control routes; in-process tests may also use it directly.
 */
export interface Mailbox {
  messages(): readonly RecordedMessage[]
  get(id: string): RecordedMessage | undefined
  record(message: RecordedMessage): void
  clear(): void
  /** Answer the next `count` sends with `status` instead of accepting them. */
  failNext(count: number, failure: PlannedFailure): void
  /** The failure for this send, if one is planned (consumes it). */
  takeFailure(): PlannedFailure | undefined
  pendingFailures(): number
  clearFailures(): void
  /** Answers the next `count` sends only after `ms` milliseconds, like a slow provider. */
  delayNext(count: number, ms: number): void
  /** The delay for this send, if one is planned (consumes it). */
  takeDelay(): number | undefined
  /** Every send attempt the messages route saw, accepted or not. */
  attempts(): number
  countAttempt(): void
  /** Called with each recorded message; returns an unsubscribe function. */
  onMessage(listener: (message: RecordedMessage) => void): () => void
}

/** Default message of a planned failure, worded like Mailgun's answers. */
export function defaultFailureMessage(status: number): string {
  if (status === 429) return 'Too many requests'
  if (status === 401) return 'Forbidden'
  if (status >= 500) return 'Internal server error'
  return 'Bad request'
}

/** Bounds of an in-memory mailbox. */
export interface MailboxLimits {
  /** Messages kept; older ones are forgotten. */
  limit?: number
  /** Attachment bytes kept; the oldest messages' attachments lose their bytes (not their description) past it. */
  attachmentBytes?: number
}

/** An in-memory mailbox, bounded so a long-running dev server doesn't grow forever. */
export function createMailbox({ limit = 10_000, attachmentBytes = 100 * 1024 * 1024 }: MailboxLimits = {}): Mailbox {
  let recorded: RecordedMessage[] = []
  let bytesKept = 0
  const bytesOf = (message: RecordedMessage) => message.attachments.reduce((sum, a) => sum + (a.content?.length ?? 0), 0)
  /** Drops attachment bytes of the oldest messages until the budget holds. */
  function trimBytes(): void {
    for (const message of recorded) {
      if (bytesKept <= attachmentBytes) return
      bytesKept -= bytesOf(message)
      for (const attachment of message.attachments) attachment.content = null
    }
  }
  const byId = new Map<string, RecordedMessage>()
  const failures: PlannedFailure[] = []
  const delays: number[] = []
  const events = new EventEmitter()
  let attempts = 0
  return {
    messages: () => recorded,
    get: (id) => byId.get(id),
    record(message) {
      recorded.push(message)
      byId.set(message.id, message)
      bytesKept += bytesOf(message)
      if (recorded.length > limit) {
        const dropped = recorded.slice(0, recorded.length - limit)
        recorded = recorded.slice(-limit)
        for (const old of dropped) {
          bytesKept -= bytesOf(old)
          if (byId.get(old.id) === old) byId.delete(old.id)
        }
      }
      // Listeners (the relay) still see this message's bytes: it was just kept within the budget, or is the newest.
      events.emit('message', message)
      trimBytes()
    },
    clear() {
      recorded = []
      bytesKept = 0
      byId.clear()
      attempts = 0
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure)
    },
    takeFailure: () => failures.shift(),
    pendingFailures: () => failures.length,
    clearFailures() {
      failures.length = 0
      delays.length = 0
    },
    delayNext(count, ms) {
      for (let i = 0; i < count; i++) delays.push(ms)
    },
    takeDelay: () => delays.shift(),
    attempts: () => attempts,
    countAttempt() {
      attempts++
    },
    onMessage(listener) {
      events.on('message', listener)
      return () => events.off('message', listener)
    },
  }
}
