/**
 * jest's node environment, first pointed at the run of this jest worker (CROSSGATE_TEST_RUN,
 * DATABASE_URL, REDIS_PREFIX). Set on the worker's own process.env before the test file's copy of it
 * is made, so the processes a test starts inherit the same run whether or not it passes `env`.
 * A file whose docblock says `@runsAlone <why>` has the PostgreSQL server to itself while it runs;
 * every other file shares it with the files beside it.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';

import { takeTurnOnPostgres, useWorkerTestRun } from '../test-run.ts';

export default class WorkerTestRunEnvironment extends NodeEnvironment {
  private readonly alone: boolean;
  private endTurn: (() => Promise<void>) | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    useWorkerTestRun();
    super(config, context);
    this.alone = context.docblockPragmas['runsAlone'] !== undefined;
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.endTurn = await takeTurnOnPostgres({ alone: this.alone });
  }

  override async teardown(): Promise<void> {
    await this.endTurn?.();
    await super.teardown();
  }
}
