import { afterEach, describe, expect, it } from 'vitest'
import { referenceFlow, startSystem, type System } from './harness.ts'
import { startHoldingProxy, type HoldingProxy } from './holding-proxy.ts'

// A worker while its Redis is away, on a private redis-server the test stops:
// it must still stop when told to, and say what happened once, not per retry.

/** Resolves with the exit, or with 'still running' after `ms`. */
function exitWithin(exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, ms: number) {
  return Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms))])
}

describe('a worker while Redis is down', () => {
  let system: System | undefined
  let proxy: HoldingProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await system?.stop()
    system = undefined
    proxy = undefined
  })

  it('exits 1 on SIGTERM once its close timeout passes, saying so, and another worker finishes its run once Redis is back', async () => {
    system = await startSystem({ privateRedis: true, workers: 0 })
    await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    const flowId = (await system.publishFlow(referenceFlow())).id
    // The worker is inside its run report (held by the proxy) when Redis goes away.
    proxy = await startHoldingProxy(system.apiUrl, 'hold')
    const worker = await system.addWorker({ API_URL: proxy.url, WORKER_CLOSE_TIMEOUT_MS: '2000' })
    const runId = await system.triggerRun(flowId)
    await proxy.reportSeen
    await system.redis?.stop()
    await worker.waitForLine((line) => line.msg === 'redis unreachable, retrying')

    worker.child.kill('SIGTERM')
    expect(await exitWithin(worker.exited, 10_000)).toEqual({ code: 1, signal: null })
    const forced = worker.lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('in-flight jobs did not finish'))
    expect(forced).toMatchObject({ level: 50, closeTimeoutMs: 2_000 })
    expect(forced?.msg).toContain('another worker will retry them')

    await system.redis?.start()
    await system.addWorker()
    expect((await system.waitForRun(runId, 60_000)).status).toBe('succeeded')
  })

  it('logs an outage once when it starts and once when it ends, not every connection error of every retry', async () => {
    system = await startSystem({ privateRedis: true })
    const worker = system.workers[0]!
    const before = worker.lines.length
    await system.redis?.stop()
    await worker.waitForLine((line) => line.msg === 'redis unreachable, retrying')
    // An outage of a few seconds: ioredis retries every few hundred ms on each connection meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    await system.redis?.start()
    await worker.waitForLine((line) => line.msg === 'redis reachable again')

    const during = worker.lines.slice(before)
    const loud = during.filter((line) => typeof line.level === 'number' && line.level >= 40)
    expect(loud.map((line) => line.msg)).toEqual(['redis unreachable, retrying'])
    expect(during.filter((line) => line.msg === 'redis reachable again')).toHaveLength(1)
  })
})
