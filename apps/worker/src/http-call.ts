import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

/** An HTTP answer: status and the whole body. */
export interface HttpAnswer {
  status: number
  body: Buffer
}

/** Sends one request to the base URL's host; rejects on transport failures and after the timeout. */
export type HttpCall = (method: 'GET' | 'POST', path: string, options: { headers: Record<string, string>; body?: string; timeoutMs: number }) => Promise<HttpAnswer>

function readAll(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    response.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.on('end', () => resolve(Buffer.concat(chunks)))
    response.on('error', reject)
  })
}

/**
 * Calls to one base URL over keep-alive connections, with node's http client:
 * a worker makes a few calls for every batch of runs, and `fetch` costs several
 * times more CPU per call than the request itself.
 */
export function createHttpCall(baseUrl: string): HttpCall {
  const https = baseUrl.startsWith('https:')
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true })
  const send = https ? httpsRequest : httpRequest
  return (method, path, { headers, body, timeoutMs }) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body)
      const request = send(
        `${baseUrl}${path}`,
        {
          method,
          agent,
          headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response) => {
          readAll(response).then((buffer) => resolve({ status: response.statusCode ?? 0, body: buffer }), reject)
        },
      )
      request.on('error', reject)
      request.end(payload)
    })
}
