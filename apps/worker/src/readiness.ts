import type { Logger } from 'pino'
import type { ApiAccess } from './api-client.ts'
import { DEV_MAILBOX_MISSING, type DevMailboxState } from './dev-mailbox.ts'
import type { ReadinessChecks } from './health-server.ts'

/** What readiness asks: does Redis answer, does the API take this worker's token, is its dev mailbox there. */
export interface ReadinessProbes {
  redis(): Promise<boolean>
  api(): Promise<ApiAccess>
  /** Only for a worker that sends to the API's dev mailbox; Mailgun itself is not probed (it is not ours to load). */
  devMailbox?: () => Promise<DevMailboxState>
}

/**
 * The checks behind `/readyz`. A refused token and a missing dev mailbox are
 * configuration mistakes an operator must see: each is logged once when it
 * starts (not on every probe) and once when it ends.
 */
export function createReadiness(probes: ReadinessProbes, logger: Logger): () => Promise<ReadinessChecks> {
  let refused = false
  let missing = false
  return async () => {
    const [redis, access, mailbox] = await Promise.all([probes.redis(), probes.api(), probes.devMailbox?.() ?? 'present'])
    if (access === 'refused' && !refused) {
      logger.error({ setting: 'WORKER_TOKEN' }, "the API refused this worker's WORKER_TOKEN: give the worker the same WORKER_TOKEN as the API")
    }
    if (access === 'accepted' && refused) logger.info("the API accepts this worker's WORKER_TOKEN again")
    // An API away says nothing about the token: keep what was last known.
    if (access !== 'unreachable') refused = access === 'refused'

    if (mailbox === 'missing' && !missing) logger.error({ setting: 'MAILGUN_API_KEY' }, DEV_MAILBOX_MISSING)
    if (mailbox === 'present' && missing) logger.info("the API's dev mailbox answers again")
    if (mailbox !== 'unavailable') missing = mailbox === 'missing'
    return { redis, api: access === 'accepted', mail: mailbox === 'present' }
  }
}
