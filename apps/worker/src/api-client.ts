import type { ClaimedDelivery, ClaimedRun, DeliveryResult, DeliveryStatus, RunReport, RunStatus } from '@replyflow/queue'
import { createBatcher, type BatcherOptions } from './batcher.ts'
import { createHttpCall, type HttpAnswer } from './http-call.ts'
import type { VersionCache } from './version-cache.ts'

/** The API could not be reached or answered 5xx, 429, 401 or 403: worth retrying later (operational). */
export class ApiUnavailableError extends Error {
  override readonly name = 'ApiUnavailableError'
  constructor(
    message: string,
    readonly httpStatus?: number,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** The API refused a request as malformed (other 4xx): a bug that retrying will not fix. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message)
  }
}

/** The worker's calls to `/internal/v1`; concurrent calls are batched into one request per endpoint. */
export interface ApiClient {
  /**
   * The run to execute, or null when the API has no such run. Its definition
   * comes from the answer or the version cache; it is null for a finished run
   * (the API sends none) or, rarely, a version evicted before use.
   */
  claimRun(runId: string): Promise<ClaimedRun | null>
  /** The run's status after the report, or null when the API has no such run. */
  reportRun(report: RunReport): Promise<RunStatus | null>
  claimDelivery(deliveryId: string): Promise<ClaimedDelivery | null>
  reportDelivery(result: DeliveryResult): Promise<DeliveryStatus | null>
  /** An attachment's bytes for outbound mail, or null when the API has no such attachment. */
  attachment(attachmentId: string): Promise<Buffer | null>
  /** Whether the API takes this worker's token, asked with a claim of nothing; for the readiness probe. */
  access(): Promise<ApiAccess>
}

/** What the API says to this worker: its token is accepted, refused (401/403: not the API's WORKER_TOKEN), or no answer. */
export type ApiAccess = 'accepted' | 'refused' | 'unreachable'

export interface ApiClientOptions extends BatcherOptions {
  baseUrl: string
  token: string
  versions: VersionCache
  timeoutMs?: number
  /** Told about every batched call: which endpoint, how many items, how long it took (ms). */
  onBatch?: (endpoint: string, size: number, ms: number) => void
}

interface Items<T> {
  items: T[]
}

/**
 * Our own API validates its answers with response schemas, so only the
 * envelope is checked here; re-validating every run's context would cost more
 * than it catches.
 */
function isItems<T>(value: unknown): value is Items<T> {
  return typeof value === 'object' && value !== null && 'items' in value && Array.isArray(value.items)
}

/** Creates the batched `/internal/v1` client. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const { baseUrl, token, versions } = options
  const timeoutMs = options.timeoutMs ?? 15_000
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const http = createHttpCall(baseUrl)

  async function post<T>(path: string, body: unknown, size: number): Promise<Items<T>> {
    const started = performance.now()
    try {
      return await request<T>(path, body)
    } finally {
      options.onBatch?.(path, size, performance.now() - started)
    }
  }

  /** One call to the API; transport failures and 5xx/429/401/403/408 are operational, other 4xx the caller's fault. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpAnswer> {
    let response: HttpAnswer
    try {
      response = await http(method, path, {
        headers: method === 'POST' ? headers : { authorization: headers.authorization },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      })
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new ApiUnavailableError(`${method} ${path} failed: ${reason}`, undefined, { cause })
    }
    const { status } = response
    if (status < 200 || status >= 300) {
      const message = `${method} ${path} answered ${status}: ${response.body.toString('utf8', 0, 500)}`
      if (status >= 500 || status === 429 || status === 401 || status === 403 || status === 408) throw new ApiUnavailableError(message, status)
      throw new ApiRequestError(message, status)
    }
    return response
  }

  async function request<T>(path: string, body: unknown): Promise<Items<T>> {
    const response = await call('POST', path, body)
    const answer: unknown = JSON.parse(response.body.toString('utf8'))
    if (!isItems<T>(answer)) throw new ApiRequestError(`POST ${path} answered without items`, response.status)
    return answer
  }

  /** Orders answers by the requested ids; ids the API did not return answer null. */
  function byId<T, K extends keyof T>(ids: string[], items: T[], key: K): (T | null)[] {
    const found = new Map<unknown, T>(items.map((item) => [item[key], item]))
    return ids.map((id) => found.get(id) ?? null)
  }

  const runClaims = createBatcher<string, ClaimedRun | null>(async (runIds) => {
    const { items } = await post<ClaimedRun>('/internal/v1/runs/claim', { runIds, knownVersionIds: versions.ids() }, runIds.length)
    // A draft's definition (no version id) is never cached: it is not immutable.
    for (const item of items) if (item.definition && item.versionId) versions.set(item.versionId, item.definition)
    return byId(runIds, items, 'runId')
  }, options)

  const runReports = createBatcher<RunReport, RunStatus | null>(async (reports) => {
    const { items } = await post<{ runId: string; status: RunStatus }>('/internal/v1/runs/report', { reports }, reports.length)
    return byId(reports.map((r) => r.runId), items, 'runId').map((item) => item?.status ?? null)
  }, options)

  const deliveryClaims = createBatcher<string, ClaimedDelivery | null>(async (deliveryIds) => {
    const { items } = await post<ClaimedDelivery>('/internal/v1/deliveries/claim', { deliveryIds }, deliveryIds.length)
    return byId(deliveryIds, items, 'deliveryId')
  }, options)

  const deliveryReports = createBatcher<DeliveryResult, DeliveryStatus | null>(async (results) => {
    const { items } = await post<{ deliveryId: string; status: DeliveryStatus }>('/internal/v1/deliveries/report', { results }, results.length)
    return byId(results.map((r) => r.deliveryId), items, 'deliveryId').map((item) => item?.status ?? null)
  }, options)

  return {
    async claimRun(runId) {
      const claimed = await runClaims.load(runId)
      if (!claimed) return null
      // Resolved in the same turn as the batch answer, so the cache still holds what that answer relied on.
      return { ...claimed, definition: claimed.definition ?? (claimed.versionId ? versions.get(claimed.versionId) : undefined) ?? null }
    },
    reportRun: (report) => runReports.load(report),
    claimDelivery: (deliveryId) => deliveryClaims.load(deliveryId),
    reportDelivery: (result) => deliveryReports.load(result),
    async attachment(attachmentId) {
      try {
        return (await call('GET', `/internal/v1/attachments/${encodeURIComponent(attachmentId)}`)).body
      } catch (error) {
        if (error instanceof ApiRequestError && error.httpStatus === 404) return null
        throw error
      }
    },
    async access() {
      // An empty claim: authenticated like real work (an open /healthz would pass a wrong token), yet it changes nothing.
      try {
        const { status } = await http('POST', '/internal/v1/runs/claim', { headers, body: JSON.stringify({ runIds: [] }), timeoutMs: 2_000 })
        if (status >= 200 && status < 300) return 'accepted'
        return status === 401 || status === 403 ? 'refused' : 'unreachable'
      } catch {
        // Readiness is a yes/no answer; the failing calls themselves log why.
        return 'unreachable'
      }
    },
  }
}
