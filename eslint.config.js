// Lint for the whole repository. The important project rule is the sandbox boundary: code under workflows/ and
// common/ runs inside Temporal's deterministic workflow sandbox, so it may not import Node built-ins or
// Node-only packages, and workflows/ may import activities only as types.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeOnlyPackages = [
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/testing',
  '@temporalio/worker',
  '@kubernetes/client-node',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'ajv',
  'commander',
  'pino',
  'yaml',
];

const sandboxRestrictions = {
  paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...nodeOnlyPackages].map((name) => ({
    name,
    message:
      'workflows/ and common/ run in the Temporal workflow sandbox: no Node built-ins or Node-only packages.',
  })),
  patterns: [
    {
      group: [
        '**/activities/**',
        '**/worker/**',
        '**/agent/**',
        '**/cli/**',
        '**/controller/**',
        '**/embedded/**',
        '**/telemetry/**',
      ],
      allowTypeImports: true,
      message: 'the sandbox may import Node-side code only with `import type`.',
    },
  ],
};

/** Forbids imports from the named top folders, types included. */
function roomRestriction(folders) {
  return {
    patterns: [
      {
        group: folders.map((folder) => `**/${folder}/**`),
        message: `this folder may not import from ${folders.join(', ')}: see the folder map in docs/design.md.`,
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/generated/**', 'crds/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'use `as const` unions instead of enums' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'no namespaces' },
        { selector: 'ExportAllDeclaration', message: 'no `export *`: export names explicitly' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'common/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', sandboxRestrictions] },
  },
  // The rooms of the daemon contract: the client (activities/) and the server (agent/) both import down from
  // proto/ and never from each other; proto/ stands on neither.
  {
    files: ['agent/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', roomRestriction(['activities', 'worker', 'workflows'])] },
  },
  {
    files: ['activities/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', roomRestriction(['agent'])] },
  },
  {
    files: ['proto/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', roomRestriction(['activities', 'agent', 'worker', 'workflows'])],
    },
  },
  // Metrics code shared by the worker, the agent and the controller stands on none of them.
  {
    files: ['telemetry/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        roomRestriction(['activities', 'agent', 'worker', 'workflows', 'controller', 'cli', 'embedded']),
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
