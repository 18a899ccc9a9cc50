import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One call that reached the proxy for a watched path, and what the proxy answered. */
export interface ProxiedCall {
  path: string
  body: unknown
  /** 503 when the proxy failed it, else the API's status. */
  status: number
  /** What `onCall` returned for it (e.g. the job's state at that moment). */
  seen: unknown
}

/**
 * An HTTP proxy in front of the API that a worker is pointed at, to act out an
 * API that is away for some calls: the next `count` calls to `path` answer 503
 * (as a restarting API behind a load balancer would), every other call passes
 * through. It records the calls to watched paths, and `onCall` (awaited before
 * answering) lets a test look at the queue at the moment of each call.
 */
export interface FailingProxy {
  url: string
  /** Answers the next `count` calls to `path` with 503. */
  failNext(path: string, count: number): void
  /** The calls to paths given to `failNext` so far, in order. */
  calls: ProxiedCall[]
  onCall?: (path: string, body: unknown) => Promise<unknown>
  /** Told of each recorded call once it was answered (not awaited). */
  afterAnswer?: (call: ProxiedCall) => void
  close(): Promise<void>
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** Starts a proxy to `target` on a free port. */
export async function startFailingProxy(target: string): Promise<FailingProxy> {
  const failures = new Map<string, number>()
  const proxy: FailingProxy = {
    url: '',
    calls: [],
    failNext(path, count) {
      failures.set(path, count)
    },
    close: async () => undefined,
  }
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request)
      const path = request.url ?? '/'
      const watched = failures.has(path)
      const parsed: unknown = watched && body.length > 0 ? JSON.parse(body.toString('utf8')) : null
      const seen = watched ? await proxy.onCall?.(path, parsed) : undefined
      const left = failures.get(path) ?? 0
      if (left > 0) {
        failures.set(path, left - 1)
        const call = { path, body: parsed, status: 503, seen }
        proxy.calls.push(call)
        response.writeHead(503, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ error: { code: 'PROXY_UNAVAILABLE', message: 'the API is restarting' } }))
        proxy.afterAnswer?.(call)
        return
      }
      const headers = new Headers()
      for (const name of ['authorization', 'content-type', 'accept']) {
        const value = request.headers[name]
        if (typeof value === 'string') headers.set(name, value)
      }
      const answer = await fetch(`${target}${path}`, { method: request.method, headers, body: body.length > 0 ? body : undefined })
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      response.end(Buffer.from(await answer.arrayBuffer()))
      if (watched) {
        const call = { path, body: parsed, status: answer.status, seen }
        proxy.calls.push(call)
        proxy.afterAnswer?.(call)
      }
    })().catch((error: unknown) => {
      response.writeHead(502).end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  return proxy
}
