import { loadConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { startServer } from './server.ts'

// Process wiring of `pnpm start:api`: config, connections, listen, graceful close.
const config = loadConfig()
const logger = createLogger()
const server = await startServer(config, logger)
logger.info({ address: server.address, queuePrefix: config.queuePrefix, devMailbox: config.devMailbox }, 'api listening')

let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'closing')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'close failed')
        process.exit(1)
      },
    )
  })
}
