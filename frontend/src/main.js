import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter } from './router'
import { i18n } from './i18n'
import { onUnauthorized } from './api/client'
import { useAuthStore } from './stores/auth'
import { ensureLiveRegions } from './utils/announce'
import { registerServiceWorker } from './offline/register'
import 'element-plus/theme-chalk/base.css'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
const router = createAppRouter()
app.use(router)
app.use(i18n)

// Any 401 on a logged-in request: the session is over, back to the log-in page.
onUnauthorized(() => {
  useAuthStore().forget() // the server ended the session already
  const current = router.currentRoute.value
  if (current.name !== 'login') router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
})

document.documentElement.lang = i18n.global.locale.value
ensureLiveRegions()
app.mount('#app')
registerServiceWorker() // installable, opens offline (issue 20)
