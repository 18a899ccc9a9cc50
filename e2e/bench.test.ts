import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { SHARED_REDIS_URL } from './harness.ts'
import { ROOT } from './processes.ts'

// `pnpm bench` as a user runs it, on a small load: it must finish and print
// every figure. The figures themselves are the machine's, not checked here.

/** Runs `pnpm bench …args`; resolves with its exit code and everything it printed. */
function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['bench', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: SHARED_REDIS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('close', (code) => resolve({ code, output }))
  })
}

describe('pnpm bench', () => {
  it('runs the reference flow, the raw queue and the floor, and prints their figures', async () => {
    const { code, output } = await runBench(['--runs', '30', '--raw-jobs', '300', '--in-flight', '4', '--concurrency', '10'])
    expect(code, output).toBe(0)
    const number = String.raw`\d+(?:\.\d+)?`
    for (const line of [
      `runs end to end +30 in ${number} s = \\d+ runs/s`,
      `webhook latency, alone +p50 ${number} ms, p99 ${number} ms`,
      `webhook latency, steady +p50 ${number} ms, p99 ${number} ms`,
      `run latency \\(to mail\\) +p50 ${number} ms, p99 ${number} ms \\(30 matched\\)`,
      `raw BullMQ, one Worker +300 trivial jobs in ${number} s = \\d+ jobs/s`,
      `ratio +${number} % of raw BullMQ`,
      `floor \\(null system\\) +\\d+ runs/s: .* Replyflow reaches \\d+ % of it`,
      `CPU ms per run +api ${number}, worker-1 ${number}, mailgun ${number}, redis ${number}`,
    ]) {
      expect(output, output).toMatch(new RegExp(line))
    }
  })
})
