import { describe, expect, it } from 'vitest'
import { bearerMatches } from './bearer.ts'

describe('bearerMatches', () => {
  const token = 'a-metrics-token-of-32-characters'

  it('accepts the token as a Bearer credential, whatever the scheme case', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true)
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true)
  })

  it('refuses another token, a prefix of it, another scheme, or no header', () => {
    expect(bearerMatches('Bearer a-metrics-token-of-32-characterz', token)).toBe(false)
    expect(bearerMatches('Bearer a-metrics', token)).toBe(false)
    expect(bearerMatches(`Basic ${token}`, token)).toBe(false)
    expect(bearerMatches(`Bearer ${token} extra`, token)).toBe(false)
    expect(bearerMatches(undefined, token)).toBe(false)
  })
})
