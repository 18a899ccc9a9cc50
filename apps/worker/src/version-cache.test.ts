import { emptyFlow } from '@replyflow/flow'
import { describe, expect, it } from 'vitest'
import { createVersionCache } from './version-cache.ts'

describe('createVersionCache', () => {
  it('drops the least recently used version beyond its capacity', () => {
    const cache = createVersionCache(2)
    cache.set('v1', emptyFlow('email'))
    cache.set('v2', emptyFlow('email'))
    cache.get('v1')
    cache.set('v3', emptyFlow('email'))
    expect(cache.ids().sort()).toEqual(['v1', 'v3'])
    expect(cache.get('v2')).toBeUndefined()
  })
})
