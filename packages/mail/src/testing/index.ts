/**
 * @replyflow/mail/testing — builds and signs Mailgun's webhook posts (forward()
 * in urlencoded, multipart and raw-MIME form; event webhooks) for tests, the
 * bench and the local Mailgun server's routes.
 */
export { buildEventPost, buildForwardPost, buildMimePost, buildRawMime, encodePost, signWebhook } from './mailgun-posts.ts'
export type { BuiltForwardPost, EncodedPost, EventDescription, MailDescription, SignOptions } from './mailgun-posts.ts'
