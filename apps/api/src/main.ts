import { loadConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { startServer } from './server.ts'

// Process wiring of `pnpm start:api`: config, connections, listen, graceful close.

const isAddressInUse = (error: unknown) => error instanceof Error && 'code' in error && error.code === 'EADDRINUSE'

const config = loadConfig()
const logger = createLogger({ level: config.logLevel })
const starting = startServer(config, logger).catch((error: unknown) => {
  if (!isAddressInUse(error)) throw error
  logger.fatal({ port: config.port, setting: 'PORT' }, `port ${config.port} is taken (another Replyflow?): set PORT to a free port`)
  process.exit(1)
})

// Before the server is up: a signal that came before its listener would kill the process outright, unlogged.
let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'closing')
    starting
      .then((server) => server.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'close failed')
          process.exit(1)
        },
      )
  })
}

const server = await starting
logger.info({ address: server.address, queuePrefix: config.queuePrefix, devMailbox: config.devMailbox }, 'api listening')
