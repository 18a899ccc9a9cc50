import { createHash, randomBytes } from 'node:crypto'

/** A new secret token (session or API key body), 256 bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** sha256 hex of a token: what the database stores instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

