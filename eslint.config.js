import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'reports/', 'node_modules/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    // With type information (tsconfig.json): a promise nobody awaits loses its error, and an
    // audit's result, silently; a promise where a callback's boolean is expected is always true.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [{ name: '@duckdb/node-api', message: 'Only src/db/ talks to DuckDB; use the Database class.' }],
      }],
    },
  },
  {
    files: ['src/db/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
