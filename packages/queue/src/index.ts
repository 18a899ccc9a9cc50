/**
 * @replyflow/queue — the runtime contract between the API and its workers:
 * queue names, job payloads, BullMQ/ioredis helpers, and the worker surface
 * `/internal/v1` (statuses, schemas and types of what workers claim and report).
 */
export { JOBS, QUEUES, UNKNOWN_WORK_REASON, assertJobId } from './names.ts'
export type { QueueName, RunFlowJob, SendMailJob } from './names.ts'
export { bearerMatches } from './bearer.ts'
export { pingRedis, producerConnection, workerConnection } from './connection.ts'
export { createRedisOutages, isRedisUnreachable } from './redis-outages.ts'
export type { OutageLogger, RedisOutages } from './redis-outages.ts'
export { JOB_OPTIONS, createProducer } from './producer.ts'
export type { JobFate, Producer, ProducerOptions } from './producer.ts'
export { DEFAULT_LOCK_MS, createQueueWorker } from './worker.ts'
export type { QueueWorkerOptions } from './worker.ts'
export { DEPTH_STATES, createQueueInspector, registerQueueDepthGauge } from './depth.ts'
export type { DepthState, QueueDepths, QueueInspector } from './depth.ts'
export {
  DELIVERY_STATUSES,
  DeliveryStatusSchema,
  EffectSchema,
  FINISHED_RUN_STATUSES,
  INTERNAL_API,
  RUN_STATUSES,
  RunErrorSchema,
  RunStatusSchema,
  SETTLED_DELIVERY_STATUSES,
  StepSchema,
} from './internal-api.ts'
export type { ClaimedDelivery, ClaimedRun, DeliveryMail, DeliveryResult, DeliveryStatus, RunReport, RunStatus } from './internal-api.ts'
