/**
 * `npm test`: everything a change must pass, in order — Prisma client generation, lint (module
 * boundaries included), type-check, the admin UI build the browser test loads, then every jest suite
 * (unit, integration against real PostgreSQL and Redis, e2e over HTTP, the browser test).
 * Without a PostgreSQL server the tests run on an embedded PostgreSQL; without Redis, the suites that
 * need it (or a PostgreSQL server) are skipped and listed as not run here, with why.
 * Ends with one plain `N passed, N failed` line (lint and type-check count as one check each),
 * because CI reads that line rather than jest's own summary.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const resultsFile = 'test-output/jest-results.json';
/** Written by the suites that skip themselves (libs/testing test-server.ts), one `{ suite, file, reason }` a line. */
const notRunFile = 'test-output/not-run.jsonl';
/**
 * Test files run two at a time, one per jest worker, each worker on a database and Redis prefix of
 * its own (libs/testing global setup). Two, whatever the cores: the e2e files mostly wait on their
 * servers, and the servers of two files, up to 35 connections each, fit PostgreSQL's default
 * max_connections of 100 where more would not.
 */
const jestWorkers = 2;
const checks = [];

function step(name, command, args, options = {}) {
  process.stdout.write(`\n▶ ${name}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  process.stdout.write(`${ok ? '✔' : '✘'} ${name} (${seconds} s)\n`);
  return ok;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const prepared = step('generate the Prisma client', npm, ['run', '--silent', 'generate']);
if (!prepared) {
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}
checks.push(['lint', step('lint', npm, ['run', '--silent', 'lint'])]);
checks.push(['typecheck', step('type-check', npm, ['run', '--silent', 'typecheck'])]);
const uiBuilt = step('build the admin UI', npm, ['run', '--silent', 'build:admin']);
checks.push(['admin UI build', uiBuilt]);

mkdirSync('test-output', { recursive: true });
rmSync(resultsFile, { force: true });
rmSync(notRunFile, { force: true });
const jestRan = step('jest', process.execPath, [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  'node_modules/jest/bin/jest.js',
  `--maxWorkers=${jestWorkers}`,
  '--json',
  `--outputFile=${resultsFile}`,
  ...process.argv.slice(2),
]);

let passed = checks.filter(([, ok]) => ok).length;
let failed = checks.length - passed;
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that fails to load has no failed tests of its own; count it so it cannot pass silently.
  failed += results.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  if (!jestRan && results.numFailedTests === 0) {
    failed += 1;
  }
} catch {
  failed += 1;
  process.stdout.write('jest wrote no results: counted as one failure\n');
}

for (const [name, ok] of checks) {
  if (!ok) {
    process.stdout.write(`failed check: ${name}\n`);
  }
}
let notRun = [];
try {
  notRun = readFileSync(notRunFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
} catch {
  // No suite skipped itself.
}
if (notRun.length > 0) {
  process.stdout.write(`\n${notRun.length} not run here:\n`);
  for (const { suite, file, reason } of notRun) {
    process.stdout.write(`  - ${file === undefined ? '' : `${file}: `}${suite}: ${reason}\n`);
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
