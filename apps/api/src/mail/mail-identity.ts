import { dirname, join } from 'node:path'
import { MAIL_ID_SECRET_KEY, mailSettingValue, type Db } from '@replyflow/db'
import type { OfflineEmailSettings } from '@replyflow/mail'
import type { Config } from '../config.ts'
import { storedSecret } from '../stored-secret.ts'

/**
 * The dev mailbox's mail domain, and the settings key of the webhook signing
 * key generated for it (docs/internals.md, "Mail transport").
 */
export const DEV_MAIL = { domain: 'dev.replyflow.local', signingKeySetting: 'dev-webhook-signing-key' } as const

/** Settings key of Settings → Customer offline message handling → EMAIL. */
export const OFFLINE_EMAIL_SETTING = 'offline-email'

/** Who we are in mail: the domain of our Message-Ids and reply addresses and the secret they are signed with. */
export interface MailIdentity {
  domain: string
  secret: string
}

/** The mail domain: Mailgun's, or the dev mailbox's. */
export function mailDomain(config: Config): string {
  return config.mailgun.domain ?? DEV_MAIL.domain
}

/**
 * The key Mailgun's webhook signatures are checked with: MAILGUN_WEBHOOK_SIGNING_KEY,
 * or, for the dev mailbox without one, a key generated on first use and kept in
 * the settings table (never a well-known constant: the webhooks are public).
 */
export function webhookSigningKey(deps: { config: Config; db: Db; now: () => number }): string | null {
  if (deps.config.mailgun.webhookSigningKey) return deps.config.mailgun.webhookSigningKey
  return deps.config.devMailbox ? storedSecret(deps, DEV_MAIL.signingKeySetting) : null
}

/** Domain and signing secret of our ids; the secret is created on first use and kept in the settings table. */
export function mailIdentity(deps: { config: Config; db: Db; now: () => number }): MailIdentity {
  return { domain: mailDomain(deps.config), secret: storedSecret(deps, MAIL_ID_SECRET_KEY) }
}

function isOfflineEmailSettings(value: unknown): value is OfflineEmailSettings {
  if (typeof value !== 'object' || value === null) return false
  const { senderMode, teamAddress } = value as Record<string, unknown>
  return (senderMode === 'team' || senderMode === 'agent') && typeof teamAddress === 'string' && teamAddress.includes('@')
}

/** The offline e-mail settings, or the default (team mode, `support@<mail domain>`) until an admin sets them. */
export function offlineEmailSettings(deps: { config: Config; db: Db }): OfflineEmailSettings {
  const stored = mailSettingValue(deps.db, OFFLINE_EMAIL_SETTING)
  return isOfflineEmailSettings(stored) ? stored : { senderMode: 'team', teamAddress: `support@${mailDomain(deps.config)}` }
}

/** Where attachment files live: `attachments/` beside the database file. */
export function attachmentsDir(config: Config): string {
  return join(dirname(config.databasePath), 'attachments')
}
