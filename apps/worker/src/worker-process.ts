import { createMailTransport, type MailTransport } from '@replyflow/mail'
import {
  QUEUES,
  createQueueInspector,
  createQueueWorker,
  createRedisOutages,
  pingRedis,
  producerConnection,
  workerConnection,
  type QueueName,
  type RedisOutages,
  type RunFlowJob,
  type SendMailJob,
} from '@replyflow/queue'
import { UnrecoverableError, type Job, type Worker } from 'bullmq'
import type { Logger } from 'pino'
import { createApiClient } from './api-client.ts'
import type { WorkerConfig } from './config.ts'
import { devMailboxTransport, probeDevMailbox } from './dev-mailbox.ts'
import { createFlowRunProcessor } from './flow-run.processor.ts'
import { startHealthServer } from './health-server.ts'
import { createWorkerMetrics, type WorkerMetrics } from './metrics.ts'
import { createReadiness } from './readiness.ts'
import { createSendMailProcessor } from './send-mail.processor.ts'
import { UnknownWorkError } from './unknown-work.ts'
import { createVersionCache } from './version-cache.ts'

/** A running worker process: both queue workers and the health server. */
export interface WorkerProcess {
  /** Port of the health and metrics server. */
  port: number
  metrics: WorkerMetrics
  /** Stops taking jobs, lets in-flight ones finish, then closes every connection. */
  close(): Promise<void>
  /**
   * Drops every Redis connection and the health server at once, for when
   * `close` takes too long (Redis away: BullMQ waits for it). Jobs in flight
   * keep their locks until they lapse, then go to another worker.
   */
  forceClose(): void
}

export interface WorkerProcessOptions {
  /** Overrides the mail transport (the default follows `config.mailgun`). */
  transport?: MailTransport
  now?: () => number
}

/** The ids a job is about, for log lines. */
function jobFields(queue: QueueName, job: Job | undefined): Record<string, unknown> {
  if (!job) return { queue }
  const data: unknown = job.data
  const ids = typeof data === 'object' && data !== null ? data : {}
  return { queue, jobId: job.id, attemptsMade: job.attemptsMade, ...ids }
}

/** Logs and counts what happens to a queue worker's jobs. */
function observe(worker: Worker, queue: QueueName, logger: Logger, metrics: WorkerMetrics, outages: RedisOutages): void {
  worker.on('completed', (_job, result: unknown) => {
    metrics.jobs.inc({ queue, outcome: result === 'skipped' ? 'skipped' : 'completed' })
  })
  worker.on('failed', (job, error) => {
    if (error instanceof UnknownWorkError) {
      metrics.jobs.inc({ queue, outcome: 'unknown' })
      logger.warn({ ...jobFields(queue, job), reason: error.message }, 'job of work this install does not know: failed without retry, left to its owner')
      return
    }
    const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || (job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true)
    metrics.jobs.inc({ queue, outcome: final ? 'failed' : 'retried' })
    const fields = { ...jobFields(queue, job), err: error }
    if (final) logger.warn(fields, 'job failed')
    else logger.info(fields, 'job will be retried')
  })
  worker.on('stalled', (jobId) => logger.warn({ queue, jobId }, 'job stalled, handed back to the queue'))
  worker.on('error', (error) => {
    // Redis away: said once for the whole process, not per connection and retry.
    if (outages.absorb(error)) return
    logger.error({ queue, err: error }, 'worker error')
  })
}

/** Starts the flow-run and mail workers and the health server, from a parsed config. */
export async function startWorkerProcess(config: WorkerConfig, logger: Logger, options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const outages = createRedisOutages(logger)
  const probe = producerConnection(config.redisUrl)
  outages.watch(probe)
  const inspector = createQueueInspector({ connection: probe, prefix: config.queuePrefix })
  const metrics = createWorkerMetrics(inspector)
  const api = createApiClient({
    baseUrl: config.apiUrl,
    token: config.workerToken,
    versions: createVersionCache(),
    onBatch(endpoint, size, ms) {
      metrics.apiBatchSize.observe({ endpoint }, size)
      metrics.apiSeconds.observe({ endpoint }, ms / 1_000)
    },
  })
  const mailgun = createMailTransport(config.mailgun)
  const transport = options.transport ?? (config.mailgun.devMailbox ? devMailboxTransport(mailgun) : mailgun)
  const now = options.now ?? Date.now

  const connections = [workerConnection(config.redisUrl), workerConnection(config.redisUrl)]
  for (const connection of connections) outages.watch(connection)
  const common = { prefix: config.queuePrefix, concurrency: config.concurrency, lockMs: config.lockMs }
  const processRun = createFlowRunProcessor({ api, logger, metrics, now })
  const processMail = createSendMailProcessor({ api, transport, logger, metrics })
  const runs = createQueueWorker<RunFlowJob>({ ...common, queue: QUEUES.flowRuns, connection: connections[0]!, processor: async (job) => void (await processRun(job)) })
  const mail = createQueueWorker<SendMailJob>({ ...common, queue: QUEUES.mailOut, connection: connections[1]!, processor: async (job) => void (await processMail(job)) })
  observe(runs, QUEUES.flowRuns, logger, metrics, outages)
  observe(mail, QUEUES.mailOut, logger, metrics, outages)

  const devMailbox = config.mailgun.devMailbox ? () => probeDevMailbox(config.mailgun) : undefined
  const checks = createReadiness({ redis: () => pingRedis(probe), api: () => api.access(), devMailbox }, logger)
  const health = await startHealthServer({ port: config.port, registry: metrics.registry, metricsToken: config.metricsToken, checks })
  logger.info({ port: health.port, concurrency: config.concurrency, queuePrefix: config.queuePrefix, devMailbox: config.mailgun.devMailbox }, 'worker started')
  // Once at start, so a wrong setting (token, dev mailbox) is in the log before anything probes /readyz or any mail fails.
  void checks()

  return {
    port: health.port,
    metrics,
    async close() {
      health.drain()
      await Promise.all([runs.close(), mail.close()])
      await health.close()
      await inspector.close()
      for (const connection of [...connections, probe]) connection.disconnect()
    },
    forceClose() {
      health.drain()
      for (const connection of [...connections, probe]) connection.disconnect()
      // BullMQ's own blocking connections are duplicates of ours; closing them is best effort, the process exits next.
      for (const worker of [runs, mail]) void worker.disconnect().catch(() => undefined)
      void health.close().catch(() => undefined)
    },
  }
}
