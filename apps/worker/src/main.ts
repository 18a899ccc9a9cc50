import { loadWorkerConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { startWorkerProcess } from './worker-process.ts'

// Process wiring of `pnpm start:worker`: config, workers, graceful close on SIGTERM.

const isAddressInUse = (error: unknown) => error instanceof Error && 'code' in error && error.code === 'EADDRINUSE'

const config = loadWorkerConfig()
const logger = createLogger(config.logLevel)
const worker = await startWorkerProcess(config, logger).catch((error: unknown) => {
  if (!isAddressInUse(error)) throw error
  logger.fatal({ port: config.port, setting: 'WORKER_PORT' }, `port ${config.port} for /healthz and /metrics is taken (another worker?): set WORKER_PORT to a free port, or 0 for any`)
  process.exit(1)
})

let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'closing: finishing in-flight jobs')
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'close failed')
        process.exit(1)
      },
    )
  })
}
