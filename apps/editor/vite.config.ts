import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const api = 'http://127.0.0.1:3000'

export default defineConfig({
  plugins: [vue()],
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The API serves dist at `/`; the canvas is its own chunk (lazy route), so the
    // first screen ships only the shell.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      // packages/flow is pure by house rule (no module side effects), so the shell can
      // import its constants without pulling the validator and CEL into the first chunk.
      treeshake: { moduleSideEffects: (id) => !id.includes('/packages/flow/src/') },
    },
  },
  server: {
    proxy: { '/api': api, '/webhooks': api, '/dev': api },
  },
})
