import { defineStore } from 'pinia'
import { auth as authApi } from '../api'
import { hasSession } from '../api/client'
import * as perm from '../utils/permissions'

// The signed-in user: whether the browser holds a session (its cookies: the session cookie
// is HttpOnly, so the app never sees the token) and GET /me.
export const useAuthStore = defineStore('auth', {
  state: () => ({
    session: hasSession(),
    me: null,
    loadingMe: false,
  }),
  getters: {
    loggedIn: (s) => s.session,
    roles: (s) => (s.me && s.me.roles) || [],
    username: (s) => (s.me && s.me.username) || '',
    displayName: (s) => (s.me && (s.me.display_name || s.me.username)) || '',
    zoneName: (s) => (s.me && s.me.zone && s.me.zone.name) || '',
    myChains: (s) => (s.me && s.me.chains) || [],
    /** The first-run administrator must change the generated password before anything else. */
    mustChangePassword: (s) => !!(s.me && s.me.must_change_password),
  },
  actions: {
    async login(username, password) {
      // The answer sets the session cookies; its bearer token is for API clients and is
      // not kept.
      const res = await authApi.login(username, password)
      this.session = true
      this.me = (res && res.user) || null
      // /me is the source of truth for roles, zone and chains.
      try {
        await this.fetchMe()
      } catch (e) {
        if (!this.me) throw e
      }
      return this.me
    },
    async fetchMe() {
      this.loadingMe = true
      try {
        this.me = await authApi.me()
        return this.me
      } finally {
        this.loadingMe = false
      }
    },
    /** Makes sure /me is loaded when there is a session; false when there is no usable session. */
    async ensureMe() {
      if (!this.session) return false
      if (this.me) return true
      try {
        await this.fetchMe()
        return true
      } catch (e) {
        if (e && e.status === 401) this.forget()
        throw e
      }
    },
    /** Changes one's own password; the server ends every session and renews the cookies. */
    async changePassword(current, next) {
      const res = await authApi.changePassword(current, next)
      if (res && res.user) this.me = { ...this.me, ...res.user }
      return res
    },
    /** Logs out: the server revokes the session and clears the cookies. */
    logout() {
      const done = this.session ? authApi.logout().catch(() => {}) : Promise.resolve()
      this.forget()
      return done
    },
    forget() {
      this.session = false
      this.me = null
    },
    has(...roles) { return perm.hasRole(this.me, ...roles) },
    can(action, project) {
      const fn = perm[action]
      if (typeof fn !== 'function') throw new Error(`unknown permission ${action}`)
      return fn(this.me, project)
    },
  },
})
