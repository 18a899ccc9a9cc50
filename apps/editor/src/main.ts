import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { onUnauthorized } from './api/client.ts'
import { createAppI18n } from './i18n/index.ts'
import { createAppRouter } from './router.ts'
import { useSessionStore } from './stores/session.ts'
import './styles/base.css'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()
app.use(pinia).use(router).use(createAppI18n())

// A call that answers 401 means the session ended: back to login, then back here.
onUnauthorized(() => {
  useSessionStore(pinia).forget()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
})

app.mount('#app')
