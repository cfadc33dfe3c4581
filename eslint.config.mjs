// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A folder's files may import the named folders only through their index.ts (`../shared`, never `../shared/audit`). */
const throughIndex = (...folders) => folders.flatMap((f) => [`**/${f}/*`, `!**/${f}/index`]);

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'screenshots/', '**/generated/', 'web/public/', 'supergraph.graphql', '.keys/', 'deploy/keys/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', '.ci/*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
  },
  {
    rules: {
      // `async` marks a function whose callers expect a promise, and turns a throw into a rejection they handle (fail
      // closed): taking it off a function that happens not to await would change how its errors travel.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore names a parameter a signature requires but the function does not use (a resolver's parent).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // A test reads a GraphQL response as JSON it has not typed and asserts on its shape: the assertion is the check
    // these rules would ask a type to make. The rest of the type-checked rules hold in tests as everywhere.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // The boundaries between the parts of the project (docs/architecture.md, "Where code lives").
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/subgraphs/**', '**/gateway', '**/gateway/**', '**/synthetic', '**/synthetic/**', '**/dev/**', '**/web', '**/web/**'],
              message: 'The subgraph kit knows no agency, gateway, synthetic seed, development code or web app.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'pg', message: 'The gateway has no database.' },
            { name: '@electric-sql/pglite', message: 'The gateway has no database.' },
          ],
          patterns: [
            { group: ['**/subgraphs/**', '**/dev/**'], message: 'The gateway runs no agency code and no development code.' },
            { group: throughIndex('shared', 'synthetic'), message: 'Import another folder only through its index.ts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', '@electric-sql/pglite', 'redis'].map((name) => ({ name, message: 'The web app is a client of the graph: no database, no Redis.' })),
          patterns: [
            {
              group: ['**/subgraphs/**', '**/synthetic', '**/synthetic/**', '**/dev/**'],
              message: 'The web app is a client of the graph like any other: no agency code, no seed, no development code.',
            },
            { group: throughIndex('shared', 'gateway'), message: 'Import another folder only through its index.ts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['subgraphs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./[^.]', message: 'An agency imports no other agency.' },
            {
              group: ['**/subgraphs/**', '**/gateway', '**/gateway/**', '**/dev/**', '**/web', '**/web/**'],
              message: 'An agency imports no other agency, no gateway, no development code and no web app.',
            },
            { group: throughIndex('shared', 'synthetic'), message: 'Import another folder only through its index.ts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**/*.ts', 'registry/**/*.ts', 'synthetic/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/dev/**'], message: "What is deployed, and the operators' tools, import no development code." },
            { group: throughIndex('shared', 'gateway', 'synthetic'), message: 'Import another folder only through its index.ts.' },
          ],
        },
      ],
    },
  },
  prettier,
);
