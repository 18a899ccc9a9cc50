/**
 * `pnpm bench` — end-to-end throughput of the reference flow on this machine.
 *
 * Starts the system as in production (API, worker processes, the local
 * Mailgun server; see e2e/harness.ts), posts N signed Mailgun inbound webhooks
 * (or API triggers, `--via trigger`) and waits until every run's mail reached
 * the Mailgun server. Then, on the same Redis, pushes trivial jobs through one
 * BullMQ Worker for the raw queue figure, and prints both with their ratio.
 * Last, the floor: the same webhooks through a null system (e2e/floor-system.ts:
 * verify, parse, answer, send the notification with mailgun.js; no database,
 * queue or worker) to the same kind of Mailgun server, on the same cores, so
 * the figures say what Replyflow adds to the work no implementation can skip.
 *
 * Webhook bodies are built and signed before the clock starts (Mailgun does
 * that work, not us) and posted over keep-alive connections. Three loads:
 * - alone: one webhook at a time, the next only once the previous run's mail
 *   arrived, so nothing else runs (latency with an idle system);
 * - saturated (throughput): closed loop, `--in-flight` requests open at once;
 * - steady: open loop at `--rate-share` of the saturated throughput, the
 *   latency a sender sees while the system keeps up.
 * On a machine other people use too, the CPU milliseconds per run of every
 * process are the robust figure; the ceiling they imply for this machine's
 * cores is printed beside the throughput.
 *
 *   pnpm bench [--runs 2000] [--workers 1] [--concurrency 100] [--in-flight 32] [--rate-share 0.5] [--via webhook|trigger] [--profile dir]
 */
import { Agent, request as httpRequest } from 'node:http'
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { E2E, eventually, mailgunControl, referenceFlow, startSystem, type MailgunControl, type System } from '../e2e/harness.ts'
import { measureRawBullmq } from '../e2e/raw-bullmq.ts'
import { cpuSeconds, startApp, type AppProcess } from '../e2e/processes.ts'
import { redisCpu } from '../e2e/redis-cpu.ts'
import { encodeInboundMail, INBOUND_WEBHOOK_PATH } from '../e2e/webhooks.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '32' },
    via: { type: 'string', default: 'webhook' },
    'raw-jobs': { type: 'string', default: '20000' },
    'rate-share': { type: 'string', default: '0.5' },
    /** Writes V8 CPU profiles of the API, the workers, the Mailgun server and the floor into this folder (open them in Chrome DevTools). */
    profile: { type: 'string' },
  },
})
const runs = Number(values.runs)
const workers = Number(values.workers)
const concurrency = Number(values.concurrency)
const inFlight = Number(values['in-flight'])
const rawJobs = Number(values['raw-jobs'])
const via = values.via === 'trigger' ? 'trigger' : 'webhook'
const rateShare = Number(values['rate-share'])
if (!(rateShare > 0 && rateShare <= 1)) throw new Error('--rate-share must be a number in (0, 1]')
for (const [name, value] of Object.entries({ runs, workers, concurrency, inFlight, rawJobs })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
}
const cores = availableParallelism()
const profileArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []

/** The p-th percentile (0–100) of sorted numbers. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

const ms = (value: number) => `${value.toFixed(1)} ms`
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

/** Sends one run's cause (by token) and resolves when the API answered. */
type Send = (token: string) => Promise<void>

/** One keep-alive connection per lane, as a Mailgun that reuses connections would post. */
const agent = new Agent({ keepAlive: true, maxSockets: inFlight })

/** POSTs a body over the keep-alive agent; resolves with the status and the answer's text. */
function post(url: URL, contentType: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A bench customer's mail, signed as a Mailgun route posts it; built before the clock starts. */
type Bodies = Map<string, { contentType: string; body: Buffer }>

async function buildBodies(tokens: readonly string[]): Promise<Bodies> {
  return new Map(
    await Promise.all(
      tokens.map(async (token) => {
        const encoded = await encodeInboundMail({
          from: `Customer ${token} <customer-${token}@bench.test>`,
          to: E2E.teamAddress,
          subject: `Order ${token}`,
          text: `Bench message ${token}: where is my parcel?`,
        })
        return [token, encoded] as const
      }),
    ),
  )
}

/** Posts the prebuilt webhook of each token to `baseUrl`'s inbound webhook path. */
function webhookSender(baseUrl: string, bodies: Bodies): Send {
  const url = new URL(INBOUND_WEBHOOK_PATH, baseUrl)
  return async (token) => {
    const encoded = bodies.get(token)
    if (!encoded) throw new Error(`no webhook built for ${token}`)
    const answer = await post(url, encoded.contentType, encoded.body)
    if (answer.status !== 200) throw new Error(`inbound webhook answered ${answer.status}: ${answer.text}`)
  }
}

/** Signed inbound webhooks, built before they are timed; or API triggers. */
function sender(system: System, flowId: string, bodies: Bodies): Send {
  if (via === 'trigger') {
    return async (token) => {
      await system.triggerRun(flowId, { message: { content: `Bench message ${token}: where is my parcel?` } })
    }
  }
  return webhookSender(system.apiUrl, bodies)
}

/** Sends the tokens with at most `lanes` requests open; returns each token's send time and the sorted latencies. */
async function sendAll(send: Send, tokens: readonly string[], lanes = inFlight) {
  const started = new Map<string, number>()
  const latencies: number[] = []
  let next = 0
  async function lane(): Promise<void> {
    while (next < tokens.length) {
      const token = tokens[next++] ?? ''
      const at = performance.now()
      started.set(token, performance.timeOrigin + at)
      await send(token)
      latencies.push(performance.now() - at)
    }
  }
  await Promise.all(Array.from({ length: Math.min(lanes, tokens.length) }, lane))
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

/** CPU seconds this process (the load generator) used so far. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

async function waitForMail(mailgun: MailgunControl, count: number, intervalMs = 100): Promise<void> {
  await eventually(async () => ((await mailgun.stats()).messages >= count ? true : undefined), {
    timeoutMs: Math.max(120_000, count * 100),
    intervalMs,
    what: `${count} mails at the Mailgun server`,
  })
}

/** One webhook at a time, each only after the previous run's mail arrived: latency with nothing else running. */
async function sendAlone(system: System, send: Send, tokens: readonly string[]): Promise<number[]> {
  const latencies: number[] = []
  let mails = (await system.mailgun.stats()).messages
  for (const token of tokens) {
    const at = performance.now()
    await send(token)
    latencies.push(performance.now() - at)
    await waitForMail(system.mailgun, ++mails, 2)
  }
  return latencies.sort((a, b) => a - b)
}

/** Sends at a steady rate (open loop: a slow answer doesn't slow the sender); returns the sorted latencies. */
async function sendAtRate(send: Send, tokens: readonly string[], perSecond: number): Promise<number[]> {
  const latencies: number[] = []
  const start = performance.now()
  const sends: Promise<void>[] = []
  for (const [i, token] of tokens.entries()) {
    const due = start + (i * 1_000) / perSecond
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const at = performance.now()
    sends.push(send(token).then(() => void latencies.push(performance.now() - at)))
  }
  await Promise.all(sends)
  return latencies.sort((a, b) => a - b)
}

/** The floor's figures: runs/s and CPU ms per run of its two processes. */
interface FloorFigure {
  runsPerSecond: number
  cpuMsPerRun: { floor: number; mailgun: number }
}

/**
 * The same webhooks through the null system (e2e/floor-system.ts) to a fresh
 * local Mailgun server: warm-up, then `tokens` with `inFlight` requests open.
 */
async function measureFloor(bodies: Bodies, warmUpTokens: readonly string[], tokens: readonly string[]): Promise<FloorFigure> {
  const started: AppProcess[] = []
  try {
    const mailgunServer = startApp('mailgun', 'packages/mail/src/mailgun-server/cli.ts', {}, ['--key', E2E.mailgun.apiKey])
    started.push(mailgunServer)
    const mailgunUrl = String((await mailgunServer.waitForLine((line) => typeof line.url === 'string')).url)
    const floor = startApp('floor', 'e2e/floor-system.ts', {
      FLOOR_MAILGUN_URL: mailgunUrl,
      FLOOR_MAILGUN_KEY: E2E.mailgun.apiKey,
      FLOOR_MAILGUN_DOMAIN: E2E.mailgun.domain,
      FLOOR_SIGNING_KEY: E2E.mailgun.signingKey,
    }, [], profileArgs)
    started.push(floor)
    const floorUrl = String((await floor.waitForLine((line) => typeof line.url === 'string')).url)
    const mailgun = mailgunControl(mailgunUrl)
    const send = webhookSender(floorUrl, bodies)
    await sendAll(send, warmUpTokens)
    await waitForMail(mailgun, warmUpTokens.length)
    await mailgun.clear()
    const cpuBefore = started.map((app) => cpuSeconds(app.child.pid))
    const t0 = performance.now()
    await sendAll(send, tokens)
    await waitForMail(mailgun, tokens.length, 10)
    const seconds = (performance.now() - t0) / 1_000
    const [mailgunMs = Number.NaN, floorMs = Number.NaN] = started.map((app, i) => ((cpuSeconds(app.child.pid) - (cpuBefore[i] ?? 0)) * 1_000) / tokens.length)
    return { runsPerSecond: tokens.length / seconds, cpuMsPerRun: { floor: floorMs, mailgun: mailgunMs } }
  } finally {
    await Promise.all(started.map((app) => app.stop()))
  }
}

const tokensOf = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`)

console.log(`bench: ${runs} runs via ${via}, ${workers} worker process(es) × concurrency ${concurrency}, ${inFlight} requests in flight; load average ${load()}`)
const system = await startSystem({
  // `pnpm bench` (scripts/start.mjs) sets REDIS_URL, starting a private Redis when none answers.
  redisUrl: process.env.REDIS_URL,
  workers,
  concurrency,
  lockMs: 30_000,
  // One agent gets every notification: lift the per-agent hourly cap for the bench.
  apiEnv: { AUTOMATED_MAIL_CAP_PER_HOUR: '0' },
  nodeArgs: profileArgs,
})
// Redis serves other clients too: its figure is an upper bound for ours.
const redis = redisCpu(system.redisUrl)
try {
  await system.createAgent({ name: 'Bench Agent', email: 'agent@bench.test' })
  await system.request('PUT', '/settings/offline-email', { senderMode: 'team', teamAddress: E2E.teamAddress })
  const { id: flowId } = await system.publishFlow(referenceFlow(), { trigger: via === 'trigger' ? 'manual' : 'email.received' })
  const warmUpTokens = tokensOf('w', Math.min(200, runs))
  const singleTokens = tokensOf('s', Math.min(100, runs))
  const runTokens = tokensOf('r', runs)
  const steadyTokens = tokensOf('t', Math.min(1_000, runs))
  const bodies = await buildBodies([...warmUpTokens, ...singleTokens, ...runTokens, ...steadyTokens])
  const send = sender(system, flowId, bodies)

  // Warm-up: JIT, connection pools, the worker's version cache.
  await sendAll(send, warmUpTokens)
  await waitForMail(system.mailgun, warmUpTokens.length)

  const alone = await sendAlone(system, send, singleTokens)
  await system.mailgun.clear()

  const processes = [system.api, ...system.workers, system.mailgunServer]
  const cpuBefore = processes.map((app) => cpuSeconds(app.child.pid))
  const ownBefore = ownCpuSeconds()
  const redisBefore = await redis.seconds()
  const loadBefore = load()
  const t0 = performance.timeOrigin + performance.now()
  const { started, latencies } = await sendAll(send, runTokens)
  const sentAt = performance.timeOrigin + performance.now()
  await waitForMail(system.mailgun, runs)
  const ownCpu = ownCpuSeconds() - ownBefore
  const redisSeconds = (await redis.seconds()) - redisBefore
  const cpu = processes.map((app, i) => ({ name: app.name, seconds: cpuSeconds(app.child.pid) - (cpuBefore[i] ?? 0) }))
  const loadAfter = load()
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

  // Steady load: what a sender sees while the system keeps up.
  const steadyRate = runsPerSecond * rateShare
  await system.mailgun.clear()
  const steady = await sendAtRate(send, steadyTokens, steadyRate)
  await waitForMail(system.mailgun, steadyTokens.length)

  await system.stop()
  const raw = await measureRawBullmq({ redisUrl: system.redisUrl, jobs: rawJobs, concurrency })
  const floor = await measureFloor(bodies, warmUpTokens, runTokens)

  const perRun = (cpuSecondsUsed: number) => (cpuSecondsUsed * 1_000) / runs
  const ours = [...cpu, { name: 'redis', seconds: redisSeconds }]
  const totalMs = perRun(ours.reduce((sum, entry) => sum + entry.seconds, 0))
  const withClientMs = totalMs + perRun(ownCpu)
  const label = via === 'webhook' ? 'webhook' : 'trigger'
  console.log('')
  console.log(`runs end to end          ${runs} in ${seconds.toFixed(2)} s = ${runsPerSecond.toFixed(0)} runs/s (sending took ${((sentAt - t0) / 1_000).toFixed(2)} s; load average ${loadBefore} → ${loadAfter})`)
  console.log(`${label} latency, alone   p50 ${ms(percentile(alone, 50))}, p99 ${ms(percentile(alone, 99))} (${alone.length} requests, each after the previous run's mail)`)
  console.log(`${label} latency, steady  p50 ${ms(percentile(steady, 50))}, p99 ${ms(percentile(steady, 99))} at ${steadyRate.toFixed(0)} requests/s (${(rateShare * 100).toFixed(0)} % of the throughput, ${steady.length} requests)`)
  console.log(`${label} latency, saturated p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))} at ${inFlight} in flight`)
  console.log(`run latency (to mail)    p50 ${ms(percentile(runLatencies, 50))}, p99 ${ms(percentile(runLatencies, 99))} (${runLatencies.length} matched)`)
  console.log(`raw BullMQ, one Worker   ${raw.jobs} trivial jobs in ${raw.seconds.toFixed(2)} s = ${raw.jobsPerSecond.toFixed(0)} jobs/s (concurrency ${concurrency})`)
  console.log(`ratio                    ${((runsPerSecond / raw.jobsPerSecond) * 100).toFixed(1)} % of raw BullMQ`)
  console.log(
    `floor (null system)      ${floor.runsPerSecond.toFixed(0)} runs/s: verify, parse, answer, notify with mailgun.js; no database, queue or worker ` +
      `(CPU ms per run: floor ${floor.cpuMsPerRun.floor.toFixed(2)}, mailgun ${floor.cpuMsPerRun.mailgun.toFixed(2)}; Replyflow reaches ${((runsPerSecond / floor.runsPerSecond) * 100).toFixed(0)} % of it)`,
  )
  console.log(`worker → API batches     ${batches}`)
  console.log(`CPU ms per run           ${ours.map((entry) => `${entry.name} ${perRun(entry.seconds).toFixed(2)}`).join(', ')}; load generator ${perRun(ownCpu).toFixed(2)}`)
  console.log(
    `CPU-bound ceiling        ${((cores * 1_000) / totalMs).toFixed(0)} runs/s on ${cores} cores for the system (${totalMs.toFixed(2)} ms/run), ` +
      `${((cores * 1_000) / withClientMs).toFixed(0)} runs/s with the load generator on the same cores`,
  )
} catch (error) {
  console.error('bench failed:', error)
  for (const app of [system.api, ...system.workers, system.mailgunServer]) console.error(`--- ${app.name}\n${app.tail(15)}`)
  await system.stop()
  process.exitCode = 1
} finally {
  redis.close()
  agent.destroy()
}
