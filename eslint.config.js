import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import globals from 'globals'

/** Imports each part of the monorepo may not make (STYLE.md, "boundaries are checked by tools"). */
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] })
const noApps = { group: ['@replyflow/api', '@replyflow/worker', '@replyflow/editor', '**/apps/**'], message: 'Apps never import apps.' }
const noDeep = { group: ['@replyflow/*/src/**'], message: "Import a package through its index (package.json#exports)." }

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'data/**', '**/drizzle/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['packages/flow/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      ...restrict([noApps, { group: ['node:*', '@replyflow/*'], message: 'packages/flow is pure: no Node APIs, no other packages.' }]),
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'fetch', 'setTimeout'],
    },
  },
  { files: ['packages/**/*.ts'], ignores: ['packages/flow/**'], rules: restrict([noApps, noDeep]) },
  { files: ['apps/api/**/*.ts', 'apps/worker/**/*.ts'], rules: restrict([noApps, noDeep]) },
  {
    files: ['apps/worker/**/*.ts'],
    rules: restrict([noApps, noDeep, { group: ['@replyflow/db', 'better-sqlite3', 'drizzle-orm'], message: 'Workers open no database: they talk to the API.' }]),
  },
  {
    files: ['apps/editor/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([noApps, noDeep, { group: ['@replyflow/db', '@replyflow/queue', '@replyflow/mail', 'node:*'], message: 'The editor runs in the browser: only @replyflow/flow.' }]),
  },
  {
    files: ['**/*.test.ts', '**/e2e/**/*.ts', '**/bench/**/*.ts', 'scripts/**'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': 'off' },
  },
)
