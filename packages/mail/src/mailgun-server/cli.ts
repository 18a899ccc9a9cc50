/**
 * Runs the local Mailgun server as its own process (the e2e harness starts it
 * this way): `tsx cli.ts --key KEY [--port 0] [--host 127.0.0.1] [--signing-key KEY]`. Prints one
 * JSON line `{ "url": ... }` once it listens; stops on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util'
import { startMailgunServer } from './standalone.ts'

const { values } = parseArgs({
  options: {
    key: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'signing-key': { type: 'string' },
  },
})
const port = Number(values.port)
if (!values.key || !Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error('usage: cli.ts --key <api key> [--port <0-65535>] [--host <address>]')
  process.exit(1)
}

const server = await startMailgunServer({ apiKey: values.key, port, host: values.host, webhookSigningKey: values['signing-key'] })
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0))
  })
}
