import { defineConfig } from 'drizzle-kit'

// `pnpm --filter @replyflow/db generate` writes a migration for schema changes; commit it.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema.ts',
  out: './drizzle',
  casing: 'snake_case',
})
