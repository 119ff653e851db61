/**
 * jest's node environment, first pointed at the run of this jest worker (CROSSGATE_TEST_RUN,
 * DATABASE_URL, REDIS_PREFIX). Set on the worker's own process.env before the test file's copy of it
 * is made, so the processes a test starts inherit the same run whether or not it passes `env`.
 */
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';

import { useWorkerTestRun } from '../test-run.ts';

export default class WorkerTestRunEnvironment extends NodeEnvironment {
  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    useWorkerTestRun();
    super(...args);
  }
}
