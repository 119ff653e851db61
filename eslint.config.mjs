/**
 * Lint is a gate (zero warnings). Module boundaries follow shared/STYLE.md §7: two tag dimensions,
 * type and scope, with an empty allow-list, so an app never imports another app, domain code never
 * reaches for Nest or Prisma, and nothing server-side reaches the browser bundle.
 */
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Frameworks and drivers: never in domain code, never in the browser bundle. */
const infrastructure = ['@nestjs/*', '@prisma/*', 'bullmq', 'ioredis', 'express', 'pg'];
/** Also kept out of the browser: key handling and the policy engine stay on the server. */
const serverOnly = [...infrastructure, 'jose', 'casbin'];
const testSupportInSpecsOnly = { name: '@crossgate/testing', message: 'Test support is for *.spec.ts files only.' };
/** The API talks to Redis only through the coordination port, whose adapter is the one ioredis user. */
const redisThroughThePort = { name: 'ioredis', message: 'Use the coordination port (@crossgate/coordination), which works with or without Redis.' };

/**
 * apps/api/src/<folder> is one concept (a Nest module); another folder reaches it only through its
 * index.ts. A pattern per depth of the importing file, since `..` counts differ: `../*\/*` from
 * src/<folder>/x.ts, `../../*\/*` from src/<folder>/<sub>/x.ts, and the tests' `../src/*\/*`.
 */
const throughIndex = (up) => ({
  group: [`${up}*/*`, `!${up}*/index.ts`],
  message: 'Import another API concept folder through its index.ts only.',
});
const conceptFolderBoundaries = [
  { files: ['apps/api/src/*/*.ts'], up: '../', paths: [redisThroughThePort, testSupportInSpecsOnly] },
  { files: ['apps/api/src/*/*/*.ts'], up: '../../', paths: [redisThroughThePort, testSupportInSpecsOnly] },
  { files: ['apps/api/test/*.ts'], up: '../src/', paths: [redisThroughThePort] },
  { files: ['apps/api/test/*/*.ts'], up: '../../src/', paths: [redisThroughThePort] },
].map(({ files, up, paths }) => ({
  files,
  ignores: files[0].startsWith('apps/api/src') ? ['**/*.spec.ts'] : [],
  rules: { 'no-restricted-imports': ['error', { paths, patterns: [throughIndex(up)] }] },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/store/src/generated/**', 'test-output/**', '.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // `type:hostable`: the worker, whose application the API process may run beside its own (single-process mode).
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:util', 'type:testing', 'type:hostable'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: [...infrastructure, 'react', 'react-*'],
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:testing', notDependOnLibsWithTags: ['type:app'] },
            { sourceTag: 'scope:ui', onlyDependOnLibsWithTags: ['scope:ui', 'scope:shared'], bannedExternalImports: serverOnly },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Type-aware rules for the TypeScript sources.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.check.json', './apps/admin/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // Test support is for specs only.
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [testSupportInSpecsOnly] }] },
  },
  {
    files: ['apps/api/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [redisThroughThePort] }] },
  },
  {
    // Both restrictions: a later block's rule replaces an earlier one's, it does not add to it.
    files: ['apps/api/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [redisThroughThePort, testSupportInSpecsOnly] }] },
  },
  // The API's concept folders meet only through each other's index.ts, one block per folder depth.
  ...conceptFolderBoundaries,
  {
    // Scripts and tests talk to the terminal.
    files: ['scripts/**', 'bench/**', '**/*.spec.ts', 'jest.config.mjs'],
    rules: { 'no-console': 'off' },
  },
);
