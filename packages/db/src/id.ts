import { randomBytes } from 'node:crypto'

// Crockford's base32: URL-safe, no `:`, and upper-case letters sort after digits,
// so ids compare as text in creation order.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const TIME_CHARS = 10
const RANDOM_CHARS = 16

let lastTime = -1
let lastRandom: number[] = []

function encodeTime(ms: number): string {
  let out = ''
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[ms % 32] + out
    ms = Math.floor(ms / 32)
  }
  return out
}

function randomDigits(): number[] {
  return [...randomBytes(RANDOM_CHARS)].map((byte) => byte % 32)
}

/** Adds one to a base-32 digit string; false when it overflows. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    const digit = digits[i] ?? 0
    if (digit < 31) {
      digits[i] = digit + 1
      return true
    }
    digits[i] = 0
  }
  return false
}

/**
 * A 26-character, time-ordered, URL-safe id (ULID-like). Ids made in the same
 * millisecond still increase, so ordering by id is ordering by creation.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Same (or an earlier, after a clock step back) millisecond: keep order by counting up.
    if (!increment(lastRandom)) {
      lastTime += 1
      lastRandom = randomDigits()
    }
  } else {
    lastTime = now
    lastRandom = randomDigits()
  }
  return encodeTime(lastTime) + lastRandom.map((digit) => ALPHABET[digit]).join('')
}

/** Whether `text` has the shape of an id {@link newId} makes (26 characters of its alphabet). */
export function isId(text: string): boolean {
  return text.length === TIME_CHARS + RANDOM_CHARS && [...text].every((char) => ALPHABET.includes(char))
}
