import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

/** The repository root: every app runs from there, as `pnpm start` runs them. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** One JSON log line of a pino logger (or a plain line, under `msg`). */
export type LogLine = Record<string, unknown> & { msg?: string }

/** A child process of the harness, with its output kept for waiting on and for failure reports. */
export interface AppProcess {
  name: string
  child: ChildProcess
  /** The last lines it printed (up to 5,000), parsed when they were JSON. */
  lines: LogLine[]
  /** Resolves when it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the first line for which `match` holds; rejects if it exits first or after `timeoutMs`. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>
  /** Sends a signal and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>
  /** The last lines, for an error message. */
  tail(count?: number): string
}

function parse(text: string): LogLine {
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text)
      if (typeof value === 'object' && value !== null) return { ...value }
    } catch {
      // Not JSON after all: keep it as text below.
    }
  }
  return { msg: text }
}

/**
 * Starts a TypeScript entry point of the repository with tsx, as its own
 * process (never in the test's process: the tests kill them).
 */
export function startApp(name: string, entry: string, env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): AppProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: LogLine[] = []
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>()
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue
    createInterface({ input: stream }).on('line', (text) => {
      const line = parse(text)
      lines.push(line)
      // Bounded, so a benchmark's millions of request logs don't fill the test's memory.
      if (lines.length > 5_000) lines.splice(0, lines.length - 5_000)
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter)
          waiter.resolve(line)
        }
      }
    })
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const tail = (count = 30) =>
    lines
      .slice(-count)
      .map((line) => JSON.stringify(line))
      .join('\n')

  return {
    name,
    child,
    lines,
    exited,
    tail,
    waitForLine(match, timeoutMs = 60_000) {
      const seen = lines.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise<LogLine>((resolve, reject) => {
        const waiter = { match, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`${name}: no matching log line within ${timeoutMs} ms; last lines:\n${tail()}`))
        }, timeoutMs)
        waiters.add(waiter)
        void exited.then(({ code, signal }) => {
          if (!waiters.delete(waiter)) return
          clearTimeout(timer)
          reject(new Error(`${name} exited (${signal ?? code}) before the expected log line; last lines:\n${tail()}`))
        })
      })
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every common kernel). */
const CLOCK_TICKS = 100

/** CPU time (user + system) a process used so far, in seconds; NaN where /proc is not available. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces), counted from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

/** A `pnpm start…` run as a user starts it in a terminal. */
export interface StartScript {
  child: ChildProcess
  /** Every line it printed, stdout and stderr. */
  lines: string[]
  /** Resolves with the exit code once it exited and printed its last line. */
  exited: Promise<number | null>
}

/**
 * Runs `pnpm <script>` (scripts/start.mjs) with only `env`, in its own process
 * group as a terminal's foreground job: signal `-child.pid` to act out Ctrl-C.
 */
export function startScript(script: string, env: Record<string, string>): StartScript {
  const child = spawn('pnpm', [script], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => lines.push(line))
  // 'close': after the exit and the last line of output.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return { child, lines, exited }
}
