/**
 * @replyflow/mail — Mailgun adapter, inbound parsing, signatures, threading,
 * quote stripping, loop detection and outbound composition.
 */
export type { MailFile, OutboundAttachment, OutboundMail } from './outbound-mail.ts'
export {
  createMessageId,
  createReplyAddress,
  normaliseMessageId,
  parseMessageId,
  parseMessageIdList,
  parseReplyAddress,
} from './signed-ids.ts'
export type { CreateMessageIdInput, MessageIdParts } from './signed-ids.ts'
export { DEV_MAILBOX, devMailboxApiKey } from './dev-mailbox.ts'
export { MAIL_TAGS, REPLY_SEPARATOR, composeAgentNotification, composeCustomerReply } from './compose.ts'
export type { AgentNotificationInput, CustomerReplyInput, MailKind, OfflineEmailSettings } from './compose.ts'
export { formatAddress, headerValue, isMailboxAddress, referencesHeader, replySubject } from './headers.ts'
export { MAIL_SEND_ERRORS, MailSendError, classifySendError, createMailTransport, toMailgunMessage } from './transport/index.ts'
export type { MailSendErrorCode, MailTransport, MailTransportOptions, SentMail } from './transport/index.ts'
export type { InboundAttachment, InboundMail, MailAddress, WebhookSignature } from './inbound/inbound-mail.ts'
export { headerOf } from './inbound/inbound-mail.ts'
export { parseForwardPost } from './inbound/parse-forward-post.ts'
export type { ForwardPost, UploadedFile } from './inbound/parse-forward-post.ts'
export { parseMimePost } from './inbound/parse-mime-post.ts'
export type { MimePost } from './inbound/parse-mime-post.ts'
export { signatureFor, verifyWebhookSignature } from './inbound/webhook-signature.ts'
export { AUTOMATED_REASONS, detectAutomated, failsAuthentication, senderAuthentication } from './inbound/loop-detection.ts'
export type { AutomatedReason, OwnIdentity, SenderAuthentication } from './inbound/loop-detection.ts'
export { cutAtQuoteHeader, extractReplyContent, stripQuotedReply } from './inbound/quote-stripping.ts'
export { sanitiseMailHtml } from './inbound/sanitise-html.ts'
export type { SanitiseOptions } from './inbound/sanitise-html.ts'
export { mailFingerprint } from './inbound/fingerprint.ts'
