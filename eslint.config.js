import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'reports/', 'node_modules/', 'coverage/'] },
  ...tseslint.configs.recommended,
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
