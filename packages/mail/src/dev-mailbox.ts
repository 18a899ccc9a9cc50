import { createHmac, randomBytes } from 'node:crypto'

/**
 * The dev mailbox: the local Mailgun server the API mounts when no Mailgun key
 * is configured, and where the workers then send mail (docs/internals.md, "Mail transport").
 */
export const DEV_MAILBOX = { path: '/dev/mailgun', domain: 'dev.replyflow.local' } as const

/**
 * The key workers send to the dev mailbox with. It is derived from the worker
 * token, which only the API and its workers know: the API may listen on every
 * interface, and a fixed key would let anyone who reaches it inject mail that
 * the dev mailbox then signs and posts to our own inbound webhook. Without a
 * worker token there are no workers, and nobody needs the key: it is random.
 */
export function devMailboxApiKey(workerToken: string | null): string {
  if (workerToken === null) return randomBytes(32).toString('base64url')
  return createHmac('sha256', workerToken).update('replyflow dev mailbox api key').digest('base64url')
}
