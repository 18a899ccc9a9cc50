/** @replyflow/queue — queue names, job payloads and BullMQ/ioredis connection helpers. */
export { JOBS, QUEUES, assertJobId } from './names.ts'
export type { QueueName, RunFlowJob, SendMailJob } from './names.ts'
export { pingRedis, producerConnection, workerConnection } from './connection.ts'
export { JOB_OPTIONS, createProducer } from './producer.ts'
export type { Producer, ProducerOptions } from './producer.ts'
