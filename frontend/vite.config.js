import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import pwa from './scripts/pwa.mjs'

// The app is served by the Go binary at "/" (history-mode deep links); during `npm run dev`
// the API is proxied to a locally running `chaincrm serve`.
const backend = process.env.CHAINCRM_DEV_BACKEND || 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components (and their CSS) are imported on demand where templates use them.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
    // the service worker with the build's file list (issue 20, offline visits)
    pwa(),
  ],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': backend,
      '/readyz': backend,
      '/healthz': backend,
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.spec.js'],
    css: false,
    testTimeout: 30000,
    server: { deps: { inline: ['element-plus'] } },
  },
})
