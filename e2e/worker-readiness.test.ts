import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { startSystem, type System } from './harness.ts'

// A worker set up unlike its API must say so: not ready on /readyz, and a
// log line that names the setting to change, before it fails anyone's work.

const TOKEN_REFUSED = "the API refused this worker's WORKER_TOKEN: give the worker the same WORKER_TOKEN as the API"

async function readiness(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/readyz`)
  return { status: response.status, body: await response.json() }
}

describe('worker readiness', () => {
  let system: System | undefined
  afterEach(async () => {
    await system?.stop()
    system = undefined
  })

  it("is not ready, and says so once, when the API refuses the worker's token", async () => {
    system = await startSystem()
    expect(await readiness(system.workerUrl(system.workers[0]!))).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: true, api: true } } })

    const stranger = await system.addWorker({ WORKER_TOKEN: randomBytes(24).toString('hex') })
    const url = system.workerUrl(stranger)
    for (let probe = 0; probe < 3; probe++) {
      expect(await readiness(url)).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { api: false } } })
    }
    const line = await stranger.waitForLine((l) => l.msg === TOKEN_REFUSED)
    expect(line.level).toBe(50)
    expect(stranger.lines.filter((l) => l.msg === TOKEN_REFUSED)).toHaveLength(1)
  })
})
