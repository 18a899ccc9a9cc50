/** The outbound mail transport over mailgun.js. */
export { createMailTransport, toMailgunMessage } from './mail-transport.ts'
export type { MailTransport, MailTransportOptions, SentMail } from './mail-transport.ts'
export { MAIL_SEND_ERRORS, MailSendError, classifySendError } from './mail-send-error.ts'
export type { MailSendErrorCode } from './mail-send-error.ts'
