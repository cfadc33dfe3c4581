// @ts-check
const js = require('@eslint/js');
const prettier = require('eslint-config-prettier');
const globals = require('globals');
const tseslint = require('typescript-eslint');

/** A folder's files may import the named folders only through their index.ts (`../shared`, never `../shared/audit`). */
const throughIndex = (...folders) => folders.flatMap((f) => [`**/${f}/*`, `!**/${f}/index`]);

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'data/', 'screenshots/', '**/generated/', 'web/public/', 'supergraph.graphql', '.keys/', 'deploy/keys/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '.ci/*.js'] }, tsconfigRootDir: __dirname },
      globals: globals.node,
    },
  },
  // The boundaries between the parts of the project (docs/architecture.md, "Where code lives").
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/subgraphs/**', '**/gateway', '**/gateway/**', '**/synthetic', '**/synthetic/**', '**/dev/**', '**/web', '**/web/**'], message: 'The subgraph kit knows no agency, gateway, synthetic seed, development code or web app.' },
      ] }],
    },
  },
  {
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'pg', message: 'The gateway has no database.' }, { name: '@electric-sql/pglite', message: 'The gateway has no database.' }],
        patterns: [
          { group: ['**/subgraphs/**', '**/dev/**'], message: 'The gateway runs no agency code and no development code.' },
          { group: throughIndex('shared', 'synthetic'), message: 'Import another folder only through its index.ts.' },
        ],
      }],
    },
  },
  {
    files: ['web/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['pg', '@electric-sql/pglite', 'redis'].map((name) => ({ name, message: 'The web app is a client of the graph: no database, no Redis.' })),
        patterns: [
          { group: ['**/subgraphs/**', '**/synthetic', '**/synthetic/**', '**/dev/**'], message: 'The web app is a client of the graph like any other: no agency code, no seed, no development code.' },
          { group: throughIndex('shared', 'gateway'), message: 'Import another folder only through its index.ts.' },
        ],
      }],
    },
  },
  {
    files: ['subgraphs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['../../subgraphs/*', '../*/**', '**/gateway', '**/gateway/**', '**/dev/**', '**/web', '**/web/**'], message: 'An agency imports no other agency, no gateway, no development code and no web app.' },
        { group: throughIndex('shared', 'synthetic'), message: 'Import another folder only through its index.ts.' },
      ] }],
    },
  },
  {
    files: ['tools/**/*.ts', 'registry/**/*.ts', 'synthetic/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/dev/**'], message: 'What is deployed, and the operators\' tools, import no development code.' },
        { group: throughIndex('shared', 'gateway', 'synthetic'), message: 'Import another folder only through its index.ts.' },
      ] }],
    },
  },
  prettier,
);
