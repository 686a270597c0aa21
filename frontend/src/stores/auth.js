import { defineStore } from 'pinia'
import { auth as authApi } from '../api'
import { getToken, setToken } from '../api/client'
import * as perm from '../utils/permissions'

// The signed-in user: the bearer token (kept in localStorage) and GET /me.
export const useAuthStore = defineStore('auth', {
  state: () => ({
    token: getToken(),
    me: null,
    loadingMe: false,
  }),
  getters: {
    loggedIn: (s) => !!s.token,
    roles: (s) => (s.me && s.me.roles) || [],
    username: (s) => (s.me && s.me.username) || '',
    displayName: (s) => (s.me && (s.me.display_name || s.me.username)) || '',
    zoneName: (s) => (s.me && s.me.zone && s.me.zone.name) || '',
    myChains: (s) => (s.me && s.me.chains) || [],
  },
  actions: {
    async login(username, password) {
      const res = await authApi.login(username, password)
      if (!res || !res.token) throw new Error('登录响应缺少令牌')
      this.token = res.token
      setToken(res.token)
      this.me = res.user || null
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
    /** Makes sure /me is loaded when a token exists; false when there is no usable session. */
    async ensureMe() {
      if (!this.token) return false
      if (this.me) return true
      try {
        await this.fetchMe()
        return true
      } catch (e) {
        if (e && e.status === 401) this.logout()
        throw e
      }
    },
    /** Changes one's own password; the server ends every session and hands back a new token. */
    async changePassword(current, next) {
      const res = await authApi.changePassword(current, next)
      if (res && res.token) {
        this.token = res.token
        setToken(res.token)
      }
      if (res && res.user) this.me = { ...this.me, ...res.user }
      return res
    },
    logout() {
      // Revoke the token on the server too; the local log-out does not wait for it.
      if (this.token) authApi.logout().catch(() => {})
      this.token = ''
      this.me = null
      setToken('')
    },
    has(...roles) { return perm.hasRole(this.me, ...roles) },
    can(action, project) {
      const fn = perm[action]
      if (typeof fn !== 'function') throw new Error(`unknown permission ${action}`)
      return fn(this.me, project)
    },
  },
})
