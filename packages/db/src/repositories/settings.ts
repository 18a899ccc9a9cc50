import { eq } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { settings } from '../schema.ts'
import type { JsonValue } from '../values.ts'

/** A setting's stored value, or undefined when it was never set. */
export function getSetting(db: DbOrTx, key: string): JsonValue | undefined {
  return db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value
}

/** Sets a setting. */
export function putSetting(db: DbOrTx, key: string, value: JsonValue, now: string): void {
  db.insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } })
    .run()
}

