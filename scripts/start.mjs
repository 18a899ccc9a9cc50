#!/usr/bin/env node
// `pnpm start` — one command on one machine: install (when the lockfile is newer than node_modules), build the editor, make
// sure Redis answers (starting a private redis-server when none does), then
// run the API (serving the editor; it migrates its database itself) and one
// worker. `pnpm start:api` / `pnpm start:worker` run one of them, for several
// machines. `pnpm bench` runs scripts/bench.ts the same way (install, Redis).
// Node builtins only: this runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const env = { ...process.env }
// The data folder — database, attachments, worker token, private Redis: DATA_DIR, or ./data.
const DATA = resolve(ROOT, env.DATA_DIR || 'data')
env.DATABASE_PATH ||= join(DATA, 'replyflow.db')
const MODES = ['all', 'api', 'worker', 'bench']
const mode = process.argv[2] ?? 'all'

/** A path as the user knows it: ./data/… inside the repository, else absolute. */
function shown(path) {
  return path.startsWith(ROOT + sep) ? `./${relative(ROOT, path)}` : path
}

function say(message) {
  console.log(`[start] ${message}`)
}

function fail(message) {
  console.error(`[start] ${message}`)
  process.exit(1)
}

if (!MODES.includes(mode)) fail(`unknown mode "${mode}"; use one of: ${MODES.join(', ')}`)

/** Runs a command to completion with the terminal attached (with `extraEnv` besides ours); exits on failure. */
function run(command, args, what, extraEnv = {}) {
  say(`${what}: ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...env, ...extraEnv } })
  if (result.error?.code === 'ENOENT') fail(`${command} is not installed. Install pnpm 10 with: npm install -g pnpm@10`)
  if (result.status !== 0) fail(`${what} failed (exit ${result.status ?? result.signal})`)
}

/** Whether a Redis at `url` answers PING within a second. */
function redisAnswers(url) {
  const { hostname, port } = new URL(url)
  return new Promise((done) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) })
    const finish = (ok) => {
      socket.destroy()
      done(ok)
    }
    socket.setTimeout(1_000, () => finish(false))
    socket.once('error', () => finish(false))
    // A password-protected Redis answers -NOAUTH: it is there, and the apps will authenticate.
    socket.once('data', (data) => finish(/^(\+PONG|-NOAUTH)/.test(data.toString())))
    socket.once('connect', () => socket.write('PING\r\n'))
  })
}

function commandExists(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0
}

/** Makes sure REDIS_URL answers; starts a private redis-server when it can. Returns the child to stop on exit, if any. */
async function ensureRedis() {
  env.REDIS_URL ||= 'redis://127.0.0.1:6379'
  if (await redisAnswers(env.REDIS_URL)) {
    say(`Redis answers at ${env.REDIS_URL}`)
    return null
  }
  const url = new URL(env.REDIS_URL)
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)
  if (!local || !commandExists('redis-server')) {
    fail(
      [
        `nothing answers at REDIS_URL=${env.REDIS_URL}.`,
        'Replyflow needs Redis 6.2+ for its queue. Either:',
        `  - install it and run \`pnpm start\` again (it then starts a private one under ${shown(join(DATA, 'redis'))}):`,
        '      Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis',
        '  - or run one with Docker: docker run -d -p 6379:6379 redis:7 --appendonly yes --maxmemory-policy noeviction',
        '  - or point REDIS_URL at a Redis you have.',
      ].join('\n'),
    )
  }
  const dir = join(DATA, 'redis')
  mkdirSync(dir, { recursive: true })
  const port = url.port || '6379'
  say(`no Redis at ${env.REDIS_URL}: starting a private redis-server on port ${port} (data in ${shown(dir)})`)
  const child = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', ''],
    // Its own process group: Ctrl-C must not stop Redis before the apps have finished their in-flight work.
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  )
  const deadline = Date.now() + 10_000
  while (!(await redisAnswers(env.REDIS_URL))) {
    if (child.exitCode !== null || Date.now() > deadline) fail(`the private redis-server did not start on port ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return child
}

/**
 * The worker token: from the environment, or, for `pnpm start` (API and worker
 * on one machine), generated once and kept in the data folder. `start:api` and
 * `start:worker` run on several machines: a token of their own would differ
 * from the other side's (and so would the queue prefix derived from it), and
 * the worker would never get the API's jobs.
 */
function ensureWorkerToken() {
  if (env.WORKER_TOKEN) return
  const file = join(DATA, 'worker-token')
  // An install that ran `pnpm start` before has one: say where, rather than make the operator hunt for it.
  const kept = existsSync(file) ? ` (\`pnpm start\` kept one in ${shown(file)}: WORKER_TOKEN=$(cat ${shown(file)}))` : ''
  if (mode === 'api') fail(`WORKER_TOKEN is unset: \`pnpm start:api\` needs one (16+ characters, e.g. \`openssl rand -hex 32\`), and every worker must get the same value${kept}`)
  if (mode === 'worker') fail(`WORKER_TOKEN is unset: \`pnpm start:worker\` needs the API's WORKER_TOKEN (the same value as the API's)${kept}`)
  if (!existsSync(file)) {
    mkdirSync(DATA, { recursive: true })
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 })
    say(`generated a worker token in ${shown(file)} (set WORKER_TOKEN to use your own)`)
  }
  env.WORKER_TOKEN = readFileSync(file, 'utf8').trim()
}

/**
 * The BullMQ key prefix: QUEUE_PREFIX, or one of this install's own, derived
 * from its worker token. Two installs on one Redis then never take each
 * other's jobs (the apps' default, `replyflow`, would be shared), while
 * `start:api` and `start:worker` on several machines, which must share the
 * token anyway, agree on it.
 */
function ensureQueuePrefix() {
  if (env.QUEUE_PREFIX) {
    say(`queue prefix: ${env.QUEUE_PREFIX} (QUEUE_PREFIX)`)
    return
  }
  env.QUEUE_PREFIX = `replyflow-${createHash('sha256').update(`replyflow queue prefix\0${env.WORKER_TOKEN}`).digest('hex').slice(0, 8)}`
  say(`queue prefix: ${env.QUEUE_PREFIX} (this install's own, from its worker token, so it can share a Redis with other installs; set QUEUE_PREFIX to choose one)`)
}

/** On the very first start, a first admin with a fresh password, printed once. */
function ensureFirstAdmin() {
  const database = resolve(ROOT, env.DATABASE_PATH)
  if (env.ADMIN_EMAIL || env.ADMIN_PASSWORD || existsSync(database)) return
  env.ADMIN_EMAIL = 'admin@replyflow.local'
  env.ADMIN_PASSWORD = randomBytes(9).toString('base64url')
  say(`first start: log in as ${env.ADMIN_EMAIL} with password ${env.ADMIN_PASSWORD} (shown once; change it in the app, or set a new one with: pnpm reset-password ${env.ADMIN_EMAIL})`)
}

const children = new Map()
let stopping = false

/** Starts an app with its lines prefixed by its name; when it exits, everything stops. */
function startApp(name, entry) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => (stream === child.stderr ? process.stderr : process.stdout).write(`[${name}] ${line}\n`))
  }
  children.set(name, child)
  // 'close', not 'exit': only then has all it printed been read and relayed (its last lines, e.g. why it stopped).
  child.once('close', (code, signal) => {
    children.delete(name)
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the rest`)
      void stop(code === 0 ? 1 : code ?? 1)
      return
    }
    // A clean stop exits 0; an app that failed to close says so in the exit code.
    if (code) exitCode ||= code
    if (children.size === 0) void finish()
  })
  return child
}

/** Waits for the API before starting the worker, so its first jobs don't fail on a closed port. */
async function apiAnswers(url) {
  const deadline = Date.now() + 60_000
  while (!stopping && Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return
    } catch {
      // Not listening yet: poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (!stopping) say(`the API did not answer at ${url} within a minute; starting the worker anyway`)
}

let redis = null
let exitCode = 0

async function finish() {
  if (redis && redis.exitCode === null) {
    const exited = new Promise((resolve) => redis.once('exit', resolve))
    redis.kill('SIGTERM')
    await exited
  }
  if (stopping) say(exitCode === 0 ? 'stopped' : `stopped (exit code ${exitCode})`)
  process.exit(exitCode)
}

async function stop(code) {
  if (stopping) return
  stopping = true
  exitCode = code
  // The apps finish in-flight work on SIGTERM; Redis stops after them.
  for (const child of children.values()) child.kill('SIGTERM')
  if (children.size === 0) await finish()
}

/**
 * Ctrl-C reaches this process twice: from the terminal (the whole process
 * group) and forwarded by pnpm a moment later. Signals within this window of
 * the first are that same request to stop, not an impatient second one.
 */
const SAME_SIGNAL_MS = 1_000
let firstSignalAt = 0

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping && Date.now() - firstSignalAt < SAME_SIGNAL_MS) return
    if (stopping) {
      say('second signal: exiting now')
      for (const child of children.values()) child.kill('SIGKILL')
      redis?.kill('SIGKILL')
      process.exit(1)
    }
    firstSignalAt = Date.now()
    say(`${signal}: stopping (again to stop at once)`)
    void stop(0)
  })
}

/** The bench starts its own API, workers and Mailgun server (e2e/harness.ts); it needs only Redis. */
async function runBench() {
  redis = await ensureRedis()
  const bench = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...process.argv.slice(3)], { cwd: ROOT, env, stdio: 'inherit' })
  children.set('bench', bench)
  bench.once('exit', (code, signal) => {
    children.delete('bench')
    exitCode = code ?? (signal ? 1 : 0)
    void finish()
  })
}

async function runApps() {
  // Before the build and Redis: a missing token is the quickest thing to say.
  ensureWorkerToken()
  // Without Turborepo's telemetry: its first-run notice landed beside the first admin's password, and it phones home.
  if (mode !== 'worker') run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@replyflow/editor', '--output-logs=errors-only'], 'building the editor', { TURBO_TELEMETRY_DISABLED: '1' })
  redis = await ensureRedis()
  ensureQueuePrefix()
  env.PORT ||= '3000'
  if (mode !== 'worker') {
    ensureFirstAdmin()
    if (!env.MAILGUN_API_KEY) {
      say('MAILGUN_API_KEY is unset: mail goes to the dev mailbox (/dev/mailgun), whose routes forward the team address and replies back to the API;')
      say('  try the loop from the editor: Dev mailbox → simulate a customer mail, then reply to a notification as its agent')
    }
    startApp('api', 'apps/api/src/main.ts')
    say(`API and editor on http://localhost:${env.PORT}`)
  }
  if (mode === 'all') await apiAnswers(`http://127.0.0.1:${env.PORT}/healthz`)
  if (mode !== 'api') {
    env.API_URL ||= `http://127.0.0.1:${env.PORT}`
    // On one machine the worker's health port follows the API's, so a second install with its own PORT doesn't collide.
    if (mode === 'all') env.WORKER_PORT ||= String(Number(env.PORT) + 1)
    startApp('worker', 'apps/worker/src/main.ts')
    if (env.WORKER_PORT) say(`worker health and metrics on http://localhost:${env.WORKER_PORT}/healthz`)
  }
}

/** Why dependencies must be installed — never yet, or the lockfile changed since (e.g. a pull that added one) — or null. */
function installReason() {
  const installed = join(ROOT, 'node_modules', '.modules.yaml')
  if (!existsSync(installed)) return 'installing dependencies (first start)'
  if (statSync(join(ROOT, 'pnpm-lock.yaml')).mtimeMs > statSync(installed).mtimeMs) return 'installing dependencies (pnpm-lock.yaml changed since the last install)'
  return null
}

const reason = installReason()
if (reason) run('pnpm', ['install', '--frozen-lockfile'], reason)
await (mode === 'bench' ? runBench() : runApps())
