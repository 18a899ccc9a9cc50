import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { destination, mayOpen } from './route-access.ts'
import { createAppRouter } from './router.ts'

// The real route table: which addresses need an admin is said once, in the routes' meta.
const router = createAppRouter(createMemoryHistory())
const where = (path: string, role: 'admin' | 'agent' | null) => destination(router.resolve(path), role ? { role } : null)

// What the API answers an agent 403 (apps/api: every route without `access: 'user'`, and the dev mailbox).
const ADMIN_PAGES = ['/settings/flows/email', '/settings/flows/sms', '/settings/flows/email/f1', '/settings/offline/email', '/settings/api-keys', '/agents', '/runs', '/mailbox']

describe('who may open which page', () => {
  it('sends an agent who opens an admin’s page to the inbox, and lets an admin stay', () => {
    for (const path of ADMIN_PAGES) {
      expect(where(path, 'agent'), path).toEqual({ name: 'inbox' })
      expect(where(path, 'admin'), path).toBe(true)
    }
  })

  it('opens the inbox, a conversation and an unknown address to agents and admins alike', () => {
    for (const path of ['/inbox', '/inbox/c1', '/no-such-page']) {
      expect(where(path, 'agent'), path).toBe(true)
      expect(where(path, 'admin'), path).toBe(true)
    }
  })

  it('sends someone not logged in to login, to come back after; the login page is open to all', () => {
    expect(where('/settings/api-keys', null)).toEqual({ name: 'login', query: { redirect: '/settings/api-keys' } })
    expect(where('/inbox', null)).toEqual({ name: 'login', query: { redirect: '/inbox' } })
    expect(where('/login', null)).toBe(true)
    expect(mayOpen({ role: 'agent' }, router.resolve('/login').meta)).toBe(true)
  })
})
