/**
 * @replyflow/mail — Mailgun adapter, inbound parsing, signatures, threading,
 * quote stripping, loop detection and outbound composition.
 */
export type { OutboundMail } from './outbound-mail.ts'
export {
  createMessageId,
  createReplyAddress,
  normaliseMessageId,
  parseMessageId,
  parseMessageIdList,
  parseReplyAddress,
} from './signed-ids.ts'
export type { CreateMessageIdInput, MessageIdParts } from './signed-ids.ts'
export { MAIL_TAGS, REPLY_SEPARATOR, composeAgentNotification, composeCustomerReply } from './compose.ts'
export type { AgentNotificationInput, CustomerReplyInput, MailKind, OfflineEmailSettings } from './compose.ts'
export { formatAddress, headerValue, referencesHeader, replySubject } from './headers.ts'
export { MAIL_SEND_ERRORS, MailSendError, classifySendError, createMailTransport, toMailgunMessage } from './transport/index.ts'
export type { MailSendErrorCode, MailTransport, MailTransportOptions, SentMail } from './transport/index.ts'
