import { registerQueueDepthGauge, type QueueInspector } from '@replyflow/queue'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The worker's Prometheus metrics, in a registry of its own (tests run several workers in one process). */
export interface WorkerMetrics {
  registry: Registry
  /** Jobs finished by this process, by queue and outcome (completed, failed, retried, skipped). */
  jobs: Counter<'queue' | 'outcome'>
  /** Claim → engine → report time of a run in this worker, by run status. */
  runSeconds: Histogram<'status'>
  /** Enqueue → report time of a run (queue wait included), by run status. */
  runDuration: Histogram<'status'>
  mailSent: Counter
  /** Items per batched call to the API's worker surface, by endpoint. */
  apiBatchSize: Histogram<'endpoint'>
  /** Duration of batched calls to the API's worker surface, by endpoint. */
  apiSeconds: Histogram<'endpoint'>
  /** Failed send attempts; `permanent` says whether the delivery gave up. */
  mailFailed: Counter<'permanent'>
}

/** Creates the metrics; queue depths are read from Redis on each scrape when an inspector is given. */
export function createWorkerMetrics(inspector?: QueueInspector): WorkerMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  if (inspector) registerQueueDepthGauge(registry, inspector)
  return {
    registry,
    jobs: new Counter({ name: 'replyflow_worker_jobs_total', help: 'Jobs finished by this worker', labelNames: ['queue', 'outcome'], registers }),
    runSeconds: new Histogram({
      name: 'replyflow_worker_run_seconds',
      help: 'Claim, engine and report time of a flow run in this worker',
      labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    runDuration: new Histogram({
      name: 'replyflow_run_duration_seconds',
      help: 'Time from a run reaching the queue to its report, queue wait included',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    apiBatchSize: new Histogram({
      name: 'replyflow_worker_api_batch_size',
      help: 'Items per batched call to /internal/v1',
      labelNames: ['endpoint'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    }),
    apiSeconds: new Histogram({
      name: 'replyflow_worker_api_seconds',
      help: 'Duration of batched calls to /internal/v1',
      labelNames: ['endpoint'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    mailSent: new Counter({ name: 'replyflow_mail_sent_total', help: 'Mails Mailgun accepted', registers }),
    mailFailed: new Counter({ name: 'replyflow_mail_failed_total', help: 'Failed send attempts', labelNames: ['permanent'], registers }),
  }
}
