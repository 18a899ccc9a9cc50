import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import { ApiError, request } from '../api/client.ts'
import type { User } from '../api/types.ts'

/** Who is logged in. `ensure()` asks the server once; the router guard relies on it. */
export const useSessionStore = defineStore('session', () => {
  const user = shallowRef<User | null>(null)
  let probed: Promise<User | null> | null = null

  async function probe(): Promise<User | null> {
    try {
      const answer = await request<{ user: User }>('GET', '/api/v1/auth/me', { quietUnauthorized: true })
      user.value = answer.user
    } catch (error) {
      // 401: nobody is logged in. Anything else is a real problem the caller should see.
      if (!(error instanceof ApiError && error.status === 401)) throw error
      user.value = null
    }
    return user.value
  }

  /** The current user, asking the server the first time. */
  function ensure(): Promise<User | null> {
    probed ??= probe().catch((error: unknown) => {
      probed = null
      throw error
    })
    return probed
  }

  /** Asks the server again: the user may have changed since (e.g. linked to an agent). */
  function refresh(): Promise<User | null> {
    probed = null
    return ensure()
  }

  async function login(email: string, password: string): Promise<User> {
    const answer = await request<{ user: User }>('POST', '/api/v1/auth/login', { body: { email, password }, quietUnauthorized: true })
    user.value = answer.user
    probed = Promise.resolve(answer.user)
    return answer.user
  }

  async function logout(): Promise<void> {
    try {
      await request<void>('POST', '/api/v1/auth/logout', { body: {}, quietUnauthorized: true })
    } finally {
      forget()
    }
  }

  /** The server says the session is over. */
  function forget(): void {
    user.value = null
    probed = Promise.resolve(null)
  }

  return { user, loggedIn: computed(() => user.value !== null), ensure, refresh, login, logout, forget }
})
