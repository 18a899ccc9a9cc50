import { join } from 'node:path'
import { build } from 'vite'

/** The editor package's folder. */
export const EDITOR_ROOT = join(import.meta.dirname, '..')

/** Builds the editor into `apps/editor/dist`, which the API serves at `/`. */
export async function buildEditor(): Promise<void> {
  await build({ configFile: join(EDITOR_ROOT, 'vite.config.ts'), logLevel: 'warn' })
}
