import { loadWorkerConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { startWorkerProcess } from './worker-process.ts'

// Process wiring of `pnpm start:worker`: config, workers, graceful close on SIGTERM.

const isAddressInUse = (error: unknown) => error instanceof Error && 'code' in error && error.code === 'EADDRINUSE'

const config = loadWorkerConfig()
const logger = createLogger(config.logLevel)
const starting = startWorkerProcess(config, logger).catch((error: unknown) => {
  if (!isAddressInUse(error)) throw error
  logger.fatal({ port: config.port, setting: 'WORKER_PORT' }, `port ${config.port} for /healthz and /metrics is taken (another worker?): set WORKER_PORT to a free port, or 0 for any`)
  process.exit(1)
})

// Before the worker is up: a signal that came before its listener would kill the process outright, unlogged.
let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    logger.info({ signal, closeTimeoutMs: config.closeTimeoutMs }, 'closing: finishing in-flight jobs')
    // With Redis away BullMQ's close waits for it forever: bound it, so a supervisor's SIGTERM always ends the worker.
    setTimeout(() => {
      logger.error(
        { closeTimeoutMs: config.closeTimeoutMs, setting: 'WORKER_CLOSE_TIMEOUT_MS' },
        'in-flight jobs did not finish within WORKER_CLOSE_TIMEOUT_MS: closing connections and exiting; another worker will retry them once their locks lapse',
      )
      void starting.then((worker) => worker.forceClose())
      process.exit(1)
    }, config.closeTimeoutMs)
    starting
      .then((worker) => worker.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'close failed')
          process.exit(1)
        },
      )
  })
}

// A failure to start (other than a taken port) ends the process with its error.
await starting
