/**
 * @overview The load generator's process for the open-loop runs (http-load.ts
 * `driveRequestsAtRate` forks it): receives one run, answers with its figures and every latency,
 * and exits.
 */
import { type OpenLoopRun, runOpenLoop } from './http-load.ts';

process.once('message', (run: OpenLoopRun) => {
  void runOpenLoop(run).then((result) => process.send?.(result, () => process.exit(0)));
});
