import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'

const KEY = 'chaincrm.locale'
export const LOCALES = ['zh-CN', 'en']

function initialLocale() {
  try {
    const saved = globalThis.localStorage?.getItem(KEY)
    if (LOCALES.includes(saved)) return saved
  } catch { /* no storage */ }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  try { globalThis.localStorage?.setItem(KEY, locale) } catch { /* ignore */ }
  if (globalThis.document) document.documentElement.lang = locale
}

/** A translated label for an enum value, falling back to the raw code. */
export function label(group, code) {
  if (code === null || code === undefined || code === '') return ''
  const key = `${group}.${code}`
  return i18n.global.te(key) ? i18n.global.t(key) : String(code)
}
