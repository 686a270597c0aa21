// Small UI helpers shared by pages: loading state, error toasts, field errors.
import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { announce } from './announce'

/**
 * Shows a toast and reads it out through the app's live region. The toast's own role="alert"
 * is dropped so that a screen reader does not read the message twice.
 */
function toast(type, message) {
  ElMessage({ type, message, grouping: true, showClose: type === 'error', customClass: 'crm-toast' })
  if (typeof document !== 'undefined') {
    for (const el of document.querySelectorAll('.el-message.crm-toast[role=alert]')) el.removeAttribute('role')
  }
  announce(message, { assertive: type === 'error' })
}

/** Wraps an async loader with loading / error / data refs for the StateBlock component. */
export function useLoader(fn, initial = null) {
  const data = ref(initial)
  const loading = ref(false)
  const error = ref(null)
  let seq = 0
  async function run(...args) {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const v = await fn(...args)
      if (mine === seq) data.value = v
      return v
    } catch (e) {
      if (mine === seq) error.value = e
      return undefined
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  return { data, loading, error, run }
}

/** Shows the server's message (already Chinese) or a generic one. */
export function toastError(err, fallback) {
  toast('error', (err && err.message) || fallback || '操作失败')
}

export function toastOk(message) {
  toast('success', message)
}

/**
 * Copies the server's field errors ({"field": "why"}) into a reactive map that el-form-item
 * :error props read. Returns true when there were any.
 */
export function applyFieldErrors(err, target) {
  for (const k of Object.keys(target)) delete target[k]
  const fields = (err && err.fields) || {}
  for (const [k, v] of Object.entries(fields)) target[k] = String(v)
  return Object.keys(fields).length > 0
}
