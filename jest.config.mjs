/**
 * One jest run for the whole repository, in ESM mode (NestJS 12 ships ESM only) with @swc/jest.
 * Types are checked separately by `npm run typecheck`. Each run gets its own databases (global setup),
 * one per jest worker, which the test environment picks by JEST_WORKER_ID.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
      target: 'es2023',
    },
    module: { type: 'es6' },
  },
];

export default {
  testEnvironment: '<rootDir>/libs/testing/src/jest/test-environment.ts',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleNameMapper: { '^@crossgate/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts' },
  transform: { '^.+\\.tsx?$': swc },
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  testSequencer: '<rootDir>/libs/testing/src/jest/test-sequencer.mjs',
  testTimeout: 30000,
};
