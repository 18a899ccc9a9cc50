import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router'
import { useSessionStore } from './stores/session.ts'
import AppLayout from './layout/AppLayout.vue'
import LoginView from './views/LoginView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
  }
}

// Every screen but login is its own chunk: the first screen ships only the shell,
// and the canvas (Vue Flow) loads when a flow is opened.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', redirect: { name: 'flows', params: { channel: 'email' } } },
      {
        path: 'settings/flows/:channel(email|sms)',
        name: 'flows',
        component: () => import('./views/FlowsView.vue'),
        children: [{ path: ':flowId', name: 'flow', component: () => import('./views/FlowEditorView.vue') }],
      },
      { path: 'settings/offline/email', name: 'offline-email', component: () => import('./views/OfflineEmailView.vue') },
      { path: 'settings/api-keys', name: 'api-keys', component: () => import('./views/ApiKeysView.vue') },
      { path: 'agents', name: 'agents', component: () => import('./views/AgentsView.vue') },
      { path: 'inbox/:conversationId?', name: 'inbox', component: () => import('./views/InboxView.vue') },
      { path: 'runs', name: 'runs', component: () => import('./views/RunsView.vue') },
      { path: 'mailbox', name: 'dev-mailbox', component: () => import('./views/DevMailboxView.vue') },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
    ],
  },
]

/** The app's router; pages other than login require a session. */
export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    const user = await useSessionStore().ensure()
    return user ? true : { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  })
  return router
}
