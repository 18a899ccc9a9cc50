import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './helper.ts'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

/** `pnpm reset-password <email>` as the root script runs it, against the test app's database. */
function resetPassword(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'apps/api/src/reset-password.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_PATH: t.config.databasePath },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

const login = (email: string, password: string) => t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, as: null })

describe('pnpm reset-password', () => {
  it('prints a new password that logs in, and ends the old sessions', async () => {
    const result = resetPassword('ADMIN@example.com')
    expect(result.status).toBe(0)
    const password = /new password for admin@example\.com: (\S+)/.exec(result.stdout)?.[1]
    expect(password).toBeDefined()
    expect((await login(t.admin.email, password ?? '')).statusCode).toBe(200)
    expect((await login(t.admin.email, t.admin.password)).statusCode).toBe(401)
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
  })

  it('says so and exits 1 for an unknown e-mail, and 2 without one', () => {
    const unknown = resetPassword('nobody@example.com')
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain('no user with the e-mail nobody@example.com')
    const usage = resetPassword()
    expect(usage.status).toBe(2)
    expect(usage.stderr).toContain('usage: pnpm reset-password <email>')
  })
})
