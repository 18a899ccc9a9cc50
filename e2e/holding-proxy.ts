import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does with a worker's run reports. */
export type ReportMode =
  /** Keep the request open and never pass it on: the worker dies before its report reaches the API. */
  | 'hold'
  /** Pass it on but never answer: the API stored the report, the worker never learns it did. */
  | 'swallow'

/**
 * An HTTP proxy in front of the API that a worker is pointed at, so a test can
 * freeze that worker in the middle of a run (between its claim and the end of
 * its report) and kill it there. Every other call passes through untouched.
 */
export interface HoldingProxy {
  url: string
  /** Resolves when the first run report arrived at the proxy. */
  reportSeen: Promise<void>
  close(): Promise<void>
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** Starts a proxy to `target` on a free port. */
export async function startHoldingProxy(target: string, mode: ReportMode): Promise<HoldingProxy> {
  let seen!: () => void
  const reportSeen = new Promise<void>((resolve) => (seen = resolve))
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request)
      const headers = new Headers()
      for (const name of ['authorization', 'content-type', 'accept']) {
        const value = request.headers[name]
        if (typeof value === 'string') headers.set(name, value)
      }
      const forward = () =>
        fetch(`${target}${request.url ?? '/'}`, { method: request.method, headers, body: body.length > 0 ? body : undefined })
      if (request.method === 'POST' && request.url === '/internal/v1/runs/report') {
        seen()
        if (mode === 'swallow') await forward()
        // Never answered: the worker waits here until it is killed.
        return
      }
      const answer = await forward()
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      response.end(Buffer.from(await answer.arrayBuffer()))
    })().catch((error: unknown) => {
      response.writeHead(502).end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    reportSeen,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
