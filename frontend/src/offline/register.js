// Installs the service worker (dist/sw.js, built by scripts/pwa.mjs) in production builds.
export function registerServiceWorker() {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => { /* the app works without it, only not offline */ })
  })
}
