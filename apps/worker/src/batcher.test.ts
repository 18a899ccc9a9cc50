import { describe, expect, it } from 'vitest'
import { createBatcher } from './batcher.ts'

describe('createBatcher', () => {
  it('answers calls made in the same tick with one batch, each with its own answer', async () => {
    const batches: number[][] = []
    const batcher = createBatcher(async (keys: number[]) => {
      batches.push(keys)
      return keys.map((key) => key * 10)
    })
    const answers = await Promise.all([1, 2, 3].map((key) => batcher.load(key)))
    expect(answers).toEqual([10, 20, 30])
    expect(batches).toEqual([[1, 2, 3]])
  })

  it('collects calls made while batches are in flight into the next batch', async () => {
    const batches: number[][] = []
    const release: (() => void)[] = []
    const batcher = createBatcher(
      async (keys: number[]) => {
        batches.push(keys)
        await new Promise<void>((resolve) => release.push(resolve))
        return keys
      },
      { maxInFlight: 1 },
    )
    const first = batcher.load(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(batches).toEqual([[1]])
    const later = [2, 3, 4].map((key) => batcher.load(key))
    await new Promise((resolve) => setImmediate(resolve))
    // The one slot is busy: the three later calls wait together.
    expect(batches).toEqual([[1]])
    release.shift()?.()
    await first
    await new Promise((resolve) => setImmediate(resolve))
    expect(batches).toEqual([[1], [2, 3, 4]])
    release.shift()?.()
    expect(await Promise.all(later)).toEqual([2, 3, 4])
  })

  it('splits batches at maxBatch', async () => {
    const sizes: number[] = []
    const batcher = createBatcher(
      async (keys: number[]) => {
        sizes.push(keys.length)
        return keys
      },
      { maxBatch: 2, maxInFlight: 10 },
    )
    await Promise.all([1, 2, 3, 4, 5].map((key) => batcher.load(key)))
    expect(sizes).toEqual([2, 2, 1])
  })

  it('rejects every call of a failed batch and keeps serving later ones', async () => {
    let fail = true
    const batcher = createBatcher(async (keys: string[]) => {
      if (fail) throw new Error('API away')
      return keys
    })
    const failed = await Promise.allSettled([batcher.load('a'), batcher.load('b')])
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    fail = false
    expect(await batcher.load('c')).toBe('c')
  })

  it('rejects when a batch answers a different number of items', async () => {
    const batcher = createBatcher(async () => [1])
    await expect(Promise.all([batcher.load(1), batcher.load(2)])).rejects.toThrow('a batch of 2 got 1 answers')
  })
})
