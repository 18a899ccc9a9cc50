import type { RouteLocationNormalized, RouteLocationRaw, RouteMeta } from 'vue-router'
import type { User } from './api/types.ts'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** Only admins may open it (the API answers anyone else 403): others are sent to their inbox, and the sidebar leaves it out. */
    admin?: boolean
  }
}

/** Whether `user` may open a page with this meta (a child route's meta includes its parents'). */
export function mayOpen(user: Pick<User, 'role'> | null, meta: RouteMeta): boolean {
  if (meta.public) return true
  if (!user) return false
  return !meta.admin || user.role === 'admin'
}

/** Where a navigation to `to` ends for `user`: there, at login (nobody logged in), or in the inbox (an admin's page, for anyone else). */
export function destination(to: Pick<RouteLocationNormalized, 'meta' | 'fullPath'>, user: Pick<User, 'role'> | null): true | RouteLocationRaw {
  if (mayOpen(user, to.meta)) return true
  if (!user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  return { name: 'inbox' }
}
