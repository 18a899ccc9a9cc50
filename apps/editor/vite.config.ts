import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const api = 'http://127.0.0.1:3000'

export default defineConfig({
  plugins: [vue()],
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The API serves dist at `/`; the canvas is its own chunk (lazy route), so the
    // first screen ships only the shell.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '/api': api, '/webhooks': api, '/dev': api },
  },
})
