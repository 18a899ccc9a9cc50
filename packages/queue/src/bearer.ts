import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Whether an `Authorization` header is `Bearer <token>` for this very token,
 * compared in constant time (hashed first, so lengths may differ). The shared
 * secrets between our processes — `WORKER_TOKEN`, `METRICS_TOKEN` — are checked
 * with it on both sides of the API–worker contract.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
  if (!given) return false
  return timingSafeEqual(sha256(given), sha256(token))
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
