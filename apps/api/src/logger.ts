import pino, { type Logger } from 'pino'

/** The API's pino logger; secrets and mail bodies are redacted wherever they appear in a log line. */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino({
    level: options.level ?? 'info',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.key',
        '*.token',
        '*.text',
        '*.html',
        '*.content',
      ],
      censor: '[redacted]',
    },
  })
}
