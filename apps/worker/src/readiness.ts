import type { Logger } from 'pino'
import type { ApiAccess } from './api-client.ts'
import type { ReadinessChecks } from './health-server.ts'

/** What readiness asks: does Redis answer, does the API take this worker's token. */
export interface ReadinessProbes {
  redis(): Promise<boolean>
  api(): Promise<ApiAccess>
}

/**
 * The checks behind `/readyz`. A refused token is a configuration mistake an
 * operator must see: it is logged once when it starts (not on every probe)
 * and once when it ends.
 */
export function createReadiness(probes: ReadinessProbes, logger: Logger): () => Promise<ReadinessChecks> {
  let refused = false
  return async () => {
    const [redis, access] = await Promise.all([probes.redis(), probes.api()])
    if (access === 'refused' && !refused) {
      logger.error({ setting: 'WORKER_TOKEN' }, "the API refused this worker's WORKER_TOKEN: give the worker the same WORKER_TOKEN as the API")
    }
    if (access === 'accepted' && refused) logger.info("the API accepts this worker's WORKER_TOKEN again")
    // An API away says nothing about the token: keep what was last known.
    if (access !== 'unreachable') refused = access === 'refused'
    return { redis, api: access === 'accepted' }
  }
}
