import vue from '@vitejs/plugin-vue'
import { defineProject } from 'vitest/config'

// Component and store tests run in happy-dom; the browser e2e runs in real Chromium.
export default defineProject({
  plugins: [vue()],
  test: {
    name: 'editor',
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
