import { buildEditor } from './build-editor.ts'

/** Builds the editor once for all browser tests: the API they start serves `apps/editor/dist`. */
export default async function setup(): Promise<void> {
  await buildEditor()
}
