// Bundles the API into dist/main.js for production images (Docker), and the
// reset-password command into dist/reset-password.js: no TypeScript at run
// time, no workspace links needed. Left external, and
// installed beside the bundle by docker/api.Dockerfile:
// - better-sqlite3: a native module;
// - @fastify/swagger-ui: serves its own static files from its package folder.
// The bundle reads migrations from ../drizzle and the editor from
// ../../editor/dist (paths relative to dist/main.js), as the image lays out.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/main.ts', 'src/reset-password.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  legalComments: 'none',
  external: ['better-sqlite3', '@fastify/swagger-ui'],
  // CommonJS dependencies bundled into ESM still call require() and read __dirname.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module'",
      "import { fileURLToPath as __fileURLToPath } from 'node:url'",
      "import { dirname as __pathDirname } from 'node:path'",
      'const require = __createRequire(import.meta.url)',
      'const __filename = __fileURLToPath(import.meta.url)',
      'const __dirname = __pathDirname(__filename)',
    ].join(';'),
  },
  logLevel: 'warning',
})
