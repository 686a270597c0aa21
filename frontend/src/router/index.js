import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '../stores/auth'
import { hasRole } from '../utils/permissions'
import { isLiaisonOnly } from '../utils/requests'

// Every page is its own chunk; the layout is loaded once after log-in.
export const routes = [
  { path: '/login', name: 'login', component: () => import('../views/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: () => import('../layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('../views/DashboardView.vue'), meta: { title: 'nav.dashboard' } },
      { path: 'projects', name: 'projects', component: () => import('../views/ProjectsView.vue'), meta: { title: 'nav.projects' } },
      { path: 'projects/:id', name: 'project', component: () => import('../views/ProjectDetailView.vue'), meta: { title: 'nav.projects' }, props: true },
      { path: 'board', name: 'board', component: () => import('../views/BoardView.vue'), meta: { title: 'nav.board' } },
      { path: 'visit', name: 'visit', component: () => import('../views/VisitView.vue'), meta: { title: 'nav.visit' } },
      { path: 'map/:code?', name: 'map', component: () => import('../views/ChainMapView.vue'), meta: { title: 'nav.map', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer'] } },
      { path: 'review', name: 'review', component: () => import('../views/ReviewView.vue'), meta: { title: 'nav.review', roles: ['chain_chief', 'director'] } },
      { path: 'reminders', name: 'reminders', component: () => import('../views/RemindersView.vue'), meta: { title: 'nav.reminders' } },
      { path: 'supervisions', name: 'supervisions', component: () => import('../views/SupervisionsView.vue'), meta: { title: 'nav.supervisions', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'agent'] } },
      { path: 'settings', name: 'settings', component: () => import('../views/SettingsView.vue'), meta: { title: 'nav.settings' } },
      { path: 'reports', name: 'reports', component: () => import('../views/ReportView.vue'), meta: { title: 'nav.reports', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer'] } },
      { path: 'enterprises', name: 'enterprises', component: () => import('../views/EnterprisesView.vue'), meta: { title: 'nav.enterprises', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer'] } },
      { path: 'enterprises/:id', name: 'enterprise', component: () => import('../views/EnterpriseView.vue'), props: true, meta: { title: 'nav.enterprises', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer'] } },
      { path: 'admin/users', name: 'admin-users', component: () => import('../views/admin/UsersView.vue'), meta: { title: 'nav.users', roles: ['admin'] } },
      { path: 'admin/chains/:code?', name: 'admin-chains', component: () => import('../views/admin/ChainsView.vue'), meta: { title: 'nav.chains', roles: ['admin', 'chain_chief'] } },
      { path: 'admin/campaigns', name: 'admin-campaigns', component: () => import('../views/admin/CampaignsView.vue'), meta: { title: 'nav.campaigns', roles: ['admin', 'director'] } },
      { path: 'admin/targets', name: 'admin-targets', component: () => import('../views/admin/TargetsView.vue'), meta: { title: 'nav.targets', roles: ['admin', 'director'] } },
      { path: 'admin/jobs', name: 'admin-jobs', component: () => import('../views/admin/JobsView.vue'), meta: { title: 'nav.jobs', roles: ['admin'] } },
      { path: 'admin/audit', name: 'admin-audit', component: () => import('../views/admin/AuditView.vue'), meta: { title: 'nav.audit', roles: ['admin'] } },
      { path: 'admin/robots', name: 'admin-robots', component: () => import('../views/admin/RobotsView.vue'), meta: { title: 'nav.robots', roles: ['admin'] } },
      { path: 'admin/tokens', name: 'admin-tokens', component: () => import('../views/admin/TokensView.vue'), meta: { title: 'nav.tokens', roles: ['admin'] } },
      // 企业诉求 (issue 15): zone staff and department liaisons
      { path: 'requests', name: 'requests', component: () => import('../views/RequestsView.vue'), meta: { title: 'nav.requests', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer', 'department'] } },
      { path: 'requests/:id', name: 'request', component: () => import('../views/RequestDetailView.vue'), props: true, meta: { title: 'nav.requests', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer', 'department'] } },
      // issue 17: the zone's economic indicators
      { path: 'indicators', name: 'indicators', component: () => import('../views/IndicatorsView.vue'), meta: { title: 'nav.indicators', roles: ['admin', 'director', 'chain_chief', 'recruiter', 'viewer'] } },
      // issue 19: the provincial platform (province users only)
      { path: 'platform', name: 'platform', component: () => import('../views/PlatformView.vue'), meta: { title: 'nav.platform', roles: ['province'] } },
      { path: 'platform/admin', name: 'platform-admin', component: () => import('../views/PlatformAdminView.vue'), meta: { title: 'nav.platformAdmin', roles: ['platform_admin'] } },
      { path: 'platform/zones/:code', name: 'platform-zone', component: () => import('../views/PlatformZoneView.vue'), props: true, meta: { title: 'nav.platform', roles: ['province'] } },
      { path: 'platform/zones/:code/projects/:id', name: 'platform-project', component: () => import('../views/PlatformProjectView.vue'), props: true, meta: { title: 'nav.platform', roles: ['province'] } },
      // offline visits: what waits on this phone to be sent (issue 20)
      { path: 'outbox', name: 'outbox', component: () => import('../views/OutboxView.vue'), meta: { title: 'offline.title' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('../views/NotFoundView.vue'), props: { forbidden: true }, meta: { title: 'app.noPermission' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue'), meta: { title: 'app.notFound' } },
    ],
  },
]

/** The pages a province user (issue 19) may open; anything else leads to 全省概览. */
export const PROVINCE_PAGES = ['platform', 'platform-zone', 'platform-project', 'settings', 'forbidden', 'not-found']

/** The pages a platform administrator (issue 19) may open. */
export const PLATFORM_ADMIN_PAGES = ['platform-admin', 'settings', 'forbidden', 'not-found']

/** The guard, exported for tests: log-in first, then role checks from /me. */
export async function guard(to, auth) {
  if (to.meta && to.meta.public) {
    if (to.name === 'login' && auth.loggedIn && auth.me) return { path: '/' }
    return true
  }
  if (!auth.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  try {
    await auth.ensureMe()
  } catch (e) {
    if (e && e.status === 401) return { name: 'login', query: { redirect: to.fullPath } }
    // /me failed for another reason (server down): let the page show its own error state.
    return true
  }
  // a generated first password is changed before anything else (the server refuses the rest)
  if (auth.mustChangePassword && to.name !== 'settings') return { name: 'settings', query: { password: 'required' } }
  // a department liaison works only with their requests and reminders (issue 15)
  if (auth.me && isLiaisonOnly(auth.me) && !LIAISON_PAGES.includes(to.name)) return { name: 'requests' }
  // a province user reads the platform only: every zone page is refused by the server
  if (auth.me && hasRole(auth.me, 'province') && !PROVINCE_PAGES.includes(to.name)) return { name: 'platform' }
  // the platform's administrator manages zones and grants only (issue 19)
  if (auth.me && hasRole(auth.me, 'platform_admin') && !PLATFORM_ADMIN_PAGES.includes(to.name)) return { name: 'platform-admin' }
  const roles = to.meta && to.meta.roles
  if (roles && auth.me && !hasRole(auth.me, ...roles)) return { name: 'forbidden' }
  return true
}

/** The pages a department liaison may open; the rest of the app is not theirs. */
export const LIAISON_PAGES = ['requests', 'request', 'reminders', 'settings', 'forbidden', 'not-found']

export function createAppRouter(history = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (to, from, saved) => saved || { top: 0 },
  })
  router.beforeEach((to) => guard(to, useAuthStore()))
  return router
}
