import { createRouter, createWebHistory, type RouteRecordRaw, type Router, type RouterHistory } from 'vue-router'
import { destination } from './route-access.ts'
import { useSessionStore } from './stores/session.ts'
import AppLayout from './layout/AppLayout.vue'
import LoginView from './views/LoginView.vue'

// Every screen but login is its own chunk: the first screen ships only the shell,
// and the canvas (Vue Flow) loads when a flow is opened.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  {
    path: '/',
    component: AppLayout,
    children: [
      // Admins start at their flows; anyone else is sent on to the inbox by the guard.
      { path: '', redirect: { name: 'flows', params: { channel: 'email' } } },
      {
        path: 'settings/flows/:channel(email|sms)',
        name: 'flows',
        component: () => import('./views/FlowsView.vue'),
        meta: { admin: true },
        children: [{ path: ':flowId', name: 'flow', component: () => import('./views/FlowEditorView.vue') }],
      },
      { path: 'settings/offline/email', name: 'offline-email', component: () => import('./views/OfflineEmailView.vue'), meta: { admin: true } },
      { path: 'settings/api-keys', name: 'api-keys', component: () => import('./views/ApiKeysView.vue'), meta: { admin: true } },
      { path: 'agents', name: 'agents', component: () => import('./views/AgentsView.vue'), meta: { admin: true } },
      { path: 'inbox/:conversationId?', name: 'inbox', component: () => import('./views/InboxView.vue') },
      { path: 'runs', name: 'runs', component: () => import('./views/RunsView.vue'), meta: { admin: true } },
      { path: 'mailbox', name: 'dev-mailbox', component: () => import('./views/DevMailboxView.vue'), meta: { admin: true } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
    ],
  },
]

/** The app's router; pages other than login require a session, and admins' pages an admin. */
export function createAppRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({ history, routes })
  router.beforeEach(async (to) => (to.meta.public ? true : destination(to, await useSessionStore().ensure())))
  return router
}
