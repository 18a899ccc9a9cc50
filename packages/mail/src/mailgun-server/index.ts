/**
 * @replyflow/mail/mailgun-server — a local server speaking Mailgun's documented
 * sending API, for tests and the dev mailbox. Talk to it with the real
 * mailgun.js client (`url` option); control it under `/mailbox`.
 */
export { mailgunServer } from './plugin.ts'
export type { MailgunServerOptions } from './plugin.ts'
export { startMailgunServer } from './standalone.ts'
export type { RunningMailgunServer, StartMailgunServerOptions } from './standalone.ts'
export { createMailbox, defaultFailureMessage } from './mailbox.ts'
export type { Mailbox, MailboxLimits, PlannedFailure, RecordedAttachment, RecordedMessage } from './mailbox.ts'
export { MailboxError, RecordedMessageSchema } from './control.routes.ts'
export { SimulatedMailSchema, SimulatedReplySchema, SimulationAnswerSchema, composeReply } from './relay.routes.ts'
export { MAX_TAGS } from './messages.routes.ts'
export { isMailgunAuth } from './auth.ts'
export { createRouteTable, parseActions, parseExpression } from './inbound-routes.ts'
export type { MailgunRoute, RouteTable, RoutedMail } from './inbound-routes.ts'
export { createRelay, createWebhookTable, DEFAULT_WEBHOOK_SIGNING_KEY } from './relay.ts'
export type { Relay, RelayOptions, RelayRecord, WebhookTable } from './relay.ts'
