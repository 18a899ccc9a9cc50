import { MAIL_SEND_ERRORS, MailSendError, type MailFile, type MailTransport, type OutboundAttachment } from '@replyflow/mail'
import { SETTLED_DELIVERY_STATUSES, type DeliveryResult, type SendMailJob } from '@replyflow/queue'
import { UnrecoverableError, type Job } from 'bullmq'
import type { Logger } from 'pino'
import { ApiUnavailableError, type ApiClient } from './api-client.ts'
import { userFailureOnBadRequest } from './flow-run.processor.ts'
import type { WorkerMetrics } from './metrics.ts'
import { UnknownWorkError } from './unknown-work.ts'

export interface SendMailDeps {
  api: ApiClient
  transport: MailTransport
  logger: Logger
  metrics: WorkerMetrics
  /** Waits between report retries; injected so tests need not wait. */
  pause?: (ms: number) => Promise<void>
}

/** What happened to one mail job. */
export type SendMailResult = 'sent' | 'skipped'

/** Pauses before each retry of a lost delivery report. */
const REPORT_RETRY_MS = [250, 1_000, 3_000]

/**
 * Executes one `send-mail` job: claim the delivery, send its mail, report the
 * outcome. 429, 5xx and timeouts are reported `retrying` and rethrown (BullMQ
 * backs off); other 4xx, or the last attempt, are reported `failed` with
 * Mailgun's reason and fail the job without retry. A misconfigured sender
 * (`MAIL_MISCONFIGURED`) is never reported `failed`.
 */
export function createSendMailProcessor(deps: SendMailDeps) {
  const pause = deps.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))

  /**
   * Once a mail left, losing its report would make a retry send it twice, so
   * the report is retried here for a few seconds before giving up.
   */
  async function report(result: DeliveryResult): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await userFailureOnBadRequest(deps.api.reportDelivery(result))
        return
      } catch (error) {
        const wait = REPORT_RETRY_MS[attempt]
        if (!(error instanceof ApiUnavailableError) || wait === undefined) throw error
        deps.logger.warn({ deliveryId: result.deliveryId, err: error }, 'delivery report failed, retrying')
        await pause(wait)
      }
    }
  }

  /** The bytes of the mail's attachments, or the first one the API no longer has. */
  async function filesOf(attachments: readonly OutboundAttachment[]): Promise<{ files: MailFile[] } | { missing: OutboundAttachment }> {
    const contents = await Promise.all(attachments.map((attachment) => userFailureOnBadRequest(deps.api.attachment(attachment.id))))
    const files: MailFile[] = []
    for (const [i, attachment] of attachments.entries()) {
      const content = contents[i]
      if (!content) return { missing: attachment }
      files.push({ filename: attachment.filename, contentType: attachment.contentType, content })
    }
    return { files }
  }

  return async function processSendMail(job: Job<SendMailJob, void, string>): Promise<SendMailResult> {
    const { deliveryId } = job.data
    const attempt = job.attemptsMade + 1
    const log = deps.logger.child({ deliveryId, jobId: job.id, attempt })
    const claimed = await userFailureOnBadRequest(deps.api.claimDelivery(deliveryId))
    if (!claimed) throw new UnknownWorkError('delivery', deliveryId)
    if (SETTLED_DELIVERY_STATUSES.has(claimed.status)) {
      log.info({ status: claimed.status }, 'delivery already settled, skipped')
      return 'skipped'
    }

    // Operational trouble fetching them (the API away) is rethrown: BullMQ retries the job.
    const fetched = await filesOf(claimed.mail.attachments ?? [])
    if ('missing' in fetched) {
      const failure = { code: 'MAIL_ATTACHMENT_MISSING', message: `attachment "${fetched.missing.filename}" (${fetched.missing.id}) is no longer stored` }
      deps.metrics.mailFailed.inc({ permanent: 'true' })
      await report({ deliveryId, status: 'failed', error: failure, attempt })
      throw new UnrecoverableError(`${failure.code}: ${failure.message}`)
    }

    let providerId: string
    try {
      ;({ providerId } = await deps.transport.send(claimed.mail, fetched.files))
    } catch (error) {
      if (!(error instanceof MailSendError)) throw error
      const lastAttempt = attempt >= (job.opts.attempts ?? 1)
      // A setup an operator can fix never fails the mail: past its last attempt it stays `retrying`,
      // and the API's lease recovery hands it to the queue again.
      const permanent = !error.retryable || (lastAttempt && error.code !== MAIL_SEND_ERRORS.misconfigured)
      const failure = { code: error.code, message: error.message, ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}) }
      deps.metrics.mailFailed.inc({ permanent: String(permanent) })
      await report({ deliveryId, status: permanent ? 'failed' : 'retrying', error: failure, attempt })
      log.warn({ code: error.code, httpStatus: error.httpStatus, permanent }, 'send failed')
      if (permanent) throw new UnrecoverableError(`${error.code}: ${error.message}`)
      throw error
    }
    deps.metrics.mailSent.inc()
    await report({ deliveryId, status: 'sent', providerId, attempt })
    log.debug({ providerId }, 'mail sent')
    return 'sent'
  }
}
