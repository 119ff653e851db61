/**
 * A worker in a process of its own for the queue contract: it takes jobs from the queue named by
 * QUEUE_NAME on the backend in QUEUE_BACKEND (JSON), prints `started <job id>` and never finishes
 * them, so the test can SIGKILL it mid-job. Lock settings come from LOCK_DURATION_MS and
 * STALLED_INTERVAL_MS.
 */
import { createWorker, type QueueBackend, type QueueName } from '@crossgate/jobs';

const backend = JSON.parse(process.env['QUEUE_BACKEND'] ?? '') as QueueBackend;
const worker = createWorker(
  backend,
  process.env['QUEUE_NAME'] as QueueName,
  (job) => {
    process.stdout.write(`started ${job.id ?? ''}\n`);
    return new Promise(() => undefined);
  },
  { concurrency: 1, lockDuration: Number(process.env['LOCK_DURATION_MS']), stalledInterval: Number(process.env['STALLED_INTERVAL_MS']) },
);
worker.on('error', (error) => process.stderr.write(`worker error: ${error.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
