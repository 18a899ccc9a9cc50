/**
 * `pnpm bench` — end-to-end throughput of the reference flow on this machine.
 *
 * Starts the system as in production (API, worker processes, the local
 * Mailgun server; see e2e/harness.ts), posts N signed Mailgun inbound webhooks
 * (or API triggers, `--via trigger`) and waits until every run's mail reached
 * the Mailgun server. Then, on the same Redis, pushes trivial jobs through one
 * BullMQ Worker for the raw queue figure, and prints both with their ratio.
 *
 *   pnpm bench [--runs 2000] [--workers 1] [--concurrency 100] [--in-flight 32] [--via webhook|trigger] [--profile dir]
 */
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { E2E, eventually, referenceFlow, startSystem, type System } from '../e2e/harness.ts'
import { measureRawBullmq } from '../e2e/raw-bullmq.ts'
import { cpuSeconds } from '../e2e/processes.ts'
import { postInboundMail } from '../e2e/webhooks.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '32' },
    via: { type: 'string', default: 'webhook' },
    'raw-jobs': { type: 'string', default: '20000' },
    /** Writes V8 CPU profiles of the API and the workers into this folder (open them in Chrome DevTools). */
    profile: { type: 'string' },
  },
})
const runs = Number(values.runs)
const workers = Number(values.workers)
const concurrency = Number(values.concurrency)
const inFlight = Number(values['in-flight'])
const rawJobs = Number(values['raw-jobs'])
const via = values.via === 'trigger' ? 'trigger' : 'webhook'
for (const [name, value] of Object.entries({ runs, workers, concurrency, inFlight, rawJobs })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
}

/** The p-th percentile (0–100) of sorted numbers. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

const ms = (value: number) => `${value.toFixed(1)} ms`

/** Sends one run's cause: a signed inbound webhook, or an API trigger. Resolves when the API answered. */
function sender(system: System, flowId: string): (token: string) => Promise<void> {
  if (via === 'trigger') {
    return async (token) => {
      await system.triggerRun(flowId, { message: { content: `Bench message ${token}: where is my parcel?` } })
    }
  }
  return async (token) => {
    const answer = await postInboundMail(system, {
      from: `Customer ${token} <customer-${token}@bench.test>`,
      to: E2E.teamAddress,
      subject: `Order ${token}`,
      text: `Bench message ${token}: where is my parcel?`,
    })
    if (answer.status !== 200) throw new Error(`inbound webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  }
}

/** Sends `count` runs with at most `inFlight` requests open; returns each token's send time and latency. */
async function sendAll(send: (token: string) => Promise<void>, prefix: string, count: number, lanes = inFlight) {
  const started = new Map<string, number>()
  const latencies: number[] = []
  let next = 0
  async function lane(): Promise<void> {
    while (next < count) {
      const token = `${prefix}${next++}`
      const at = performance.now()
      started.set(token, performance.timeOrigin + at)
      await send(token)
      latencies.push(performance.now() - at)
    }
  }
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane))
  return { started, latencies: latencies.sort((a, b) => a - b) }
}

/** Mean items per batched call of the workers to /internal/v1, from their /metrics. */
async function batchSizes(system: System): Promise<string> {
  const sums = new Map<string, { sum: number; count: number }>()
  for (const worker of system.workers) {
    const text = await (await fetch(`${system.workerUrl(worker)}/metrics`)).text()
    for (const match of text.matchAll(/^replyflow_worker_api_batch_size_(sum|count)\{endpoint="([^"]+)"\} (\S+)$/gm)) {
      const [, kind, endpoint = '', value] = match
      const entry = sums.get(endpoint) ?? { sum: 0, count: 0 }
      entry[kind === 'sum' ? 'sum' : 'count'] += Number(value)
      sums.set(endpoint, entry)
    }
  }
  return [...sums].map(([endpoint, { sum, count }]) => `${endpoint.replace('/internal/v1/', '')} ${(sum / count).toFixed(1)} (${count} calls)`).join(', ')
}

async function waitForMail(system: System, count: number): Promise<void> {
  await eventually(async () => ((await system.mailgun.stats()).messages >= count ? true : undefined), {
    timeoutMs: Math.max(120_000, count * 100),
    intervalMs: 100,
    what: `${count} mails at the Mailgun server`,
  })
}

console.log(`bench: ${runs} runs via ${via}, ${workers} worker process(es) × concurrency ${concurrency}, ${inFlight} requests in flight`)
const system = await startSystem({
  // `pnpm bench` (scripts/start.mjs) sets REDIS_URL, starting a private Redis when none answers.
  redisUrl: process.env.REDIS_URL,
  workers,
  concurrency,
  lockMs: 30_000,
  // One agent gets every notification: lift the per-agent hourly cap for the bench.
  apiEnv: { AUTOMATED_MAIL_CAP_PER_HOUR: '0' },
  nodeArgs: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [],
})
try {
  await system.createAgent({ name: 'Bench Agent', email: 'agent@bench.test' })
  await system.request('PUT', '/settings/offline-email', { senderMode: 'team', teamAddress: E2E.teamAddress })
  const { id: flowId } = await system.publishFlow(referenceFlow(), { trigger: via === 'trigger' ? 'manual' : 'email.received' })
  const send = sender(system, flowId)

  // Warm-up: JIT, connection pools, the worker's version cache.
  const warmUp = Math.min(200, runs)
  await sendAll(send, 'w', warmUp)
  await waitForMail(system, warmUp)

  // Unloaded latency: one request at a time, so queueing behind other requests doesn't count.
  const single = await sendAll(send, 's', Math.min(200, runs), 1)
  await waitForMail(system, warmUp + single.latencies.length)
  await system.mailgun.clear()

  const processes = [system.api, ...system.workers, system.mailgunServer]
  const cpuBefore = processes.map((app) => cpuSeconds(app.child.pid))
  const t0 = performance.timeOrigin + performance.now()
  const { started, latencies } = await sendAll(send, 'r', runs)
  const sentAt = performance.timeOrigin + performance.now()
  await waitForMail(system, runs)
  const mail = await system.mailgun.messages()
  const runLatencies: number[] = []
  let lastMail = t0
  for (const message of mail) {
    const token = /Bench message (r\d+):/.exec(message.text ?? '')?.[1]
    const start = token ? started.get(token) : undefined
    const received = Date.parse(message.receivedAt)
    if (start !== undefined) runLatencies.push(received - start)
    lastMail = Math.max(lastMail, received)
  }
  runLatencies.sort((a, b) => a - b)
  const seconds = (lastMail - t0) / 1_000
  const runsPerSecond = runs / seconds
  const batches = await batchSizes(system)
  const cpu = processes.map((app, i) => `${app.name} ${(((cpuSeconds(app.child.pid) - (cpuBefore[i] ?? 0)) * 1_000) / runs).toFixed(2)}`)

  await system.stop()
  const raw = await measureRawBullmq({ redisUrl: system.redisUrl, jobs: rawJobs, concurrency })

  const label = via === 'webhook' ? 'webhook' : 'trigger'
  console.log('')
  console.log(`runs end to end          ${runs} in ${seconds.toFixed(2)} s = ${runsPerSecond.toFixed(0)} runs/s (sending took ${((sentAt - t0) / 1_000).toFixed(2)} s)`)
  console.log(`${label} latency          p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))} at ${inFlight} in flight (saturated)`)
  console.log(`${label} latency, alone   p50 ${ms(percentile(single.latencies, 50))}, p99 ${ms(percentile(single.latencies, 99))} one at a time (${single.latencies.length} requests)`)
  console.log(`run latency (to mail)    p50 ${ms(percentile(runLatencies, 50))}, p99 ${ms(percentile(runLatencies, 99))} (${runLatencies.length} matched)`)
  console.log(`raw BullMQ, one Worker   ${raw.jobs} trivial jobs in ${raw.seconds.toFixed(2)} s = ${raw.jobsPerSecond.toFixed(0)} jobs/s (concurrency ${concurrency})`)
  console.log(`ratio                    ${((runsPerSecond / raw.jobsPerSecond) * 100).toFixed(1)} % of raw BullMQ`)
  console.log(`worker → API batches     ${batches}`)
  console.log(`CPU ms per run           ${cpu.join(', ')} (this machine has ${availableParallelism()} cores)`)
} catch (error) {
  console.error('bench failed:', error)
  for (const app of [system.api, ...system.workers, system.mailgunServer]) console.error(`--- ${app.name}\n${app.tail(15)}`)
  await system.stop()
  process.exitCode = 1
}
