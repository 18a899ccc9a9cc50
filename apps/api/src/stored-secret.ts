import { randomBytes } from 'node:crypto'
import { getSetting, putSetting, type Db } from '@replyflow/db'

// Read once per database: a stored secret never changes after it is first made.
const cache = new WeakMap<Db, Map<string, string>>()

/**
 * A random secret (256 bits, hex) kept in the settings table under `key`, made
 * on first use: the install's own, never a well-known constant. The API never
 * shows it.
 */
export function storedSecret(deps: { db: Db; now: () => number }, key: string): string {
  let known = cache.get(deps.db)
  if (!known) cache.set(deps.db, (known = new Map()))
  let secret = known.get(key)
  if (secret === undefined) {
    // Immediate: the write lock before the read, so two processes starting on one file make one secret.
    secret = deps.db.transaction(
      (tx) => {
        const stored = getSetting(tx, key)
        if (typeof stored === 'string') return stored
        const generated = randomBytes(32).toString('hex')
        putSetting(tx, key, generated, new Date(deps.now()).toISOString())
        return generated
      },
      { behavior: 'immediate' },
    )
    known.set(key, secret)
  }
  return secret
}
