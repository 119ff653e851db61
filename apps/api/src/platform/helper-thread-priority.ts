/**
 * @overview Keeps the event loop from being preempted by the threads it wakes.
 *
 * jose signs and verifies through WebCrypto, which runs each operation on libuv's thread pool: the
 * event loop queues the job and wakes a pool thread. Linux tends to run a freshly woken thread on
 * the waker's CPU, and, the woken thread having slept, lets it preempt the waker at once. So the
 * event loop sat runnable but stopped for the length of every signature and verification, two per
 * ID-JAG redemption (bench/README.md: a quarter of its wall time under load). Lowering the helper
 * threads' priority (a higher nice value) lets the event loop run on while the helper waits for
 * the next tick or moves to the other CPU, so the two overlap as they were meant to.
 *
 * Only the helpers are lowered; the event loop keeps the process's priority, so nothing needs a
 * privilege. A nice value is per thread on Linux (setpriority(2), "Bugs"), and Node's
 * `os.setPriority` accepts a thread id there. Elsewhere this does nothing.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { webcrypto } from 'node:crypto';

/**
 * Gives every thread of this process but the event loop's the nice value `nice` (0: does nothing).
 * libuv starts its whole pool on the first job, so one harmless job first makes sure the pool is
 * there to be found; threads started later keep the default priority. Returns how many threads it
 * lowered, or null when it did nothing.
 */
export async function lowerHelperThreadPriority(nice: number): Promise<number | null> {
  if (nice === 0 || process.platform !== 'linux') {
    return null;
  }
  await webcrypto.subtle.digest('SHA-256', new Uint8Array(1));
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  let lowered = 0;
  for (const thread of threads) {
    const id = Number(thread);
    if (id === process.pid) {
      continue;
    }
    try {
      setPriority(id, nice);
      lowered += 1;
    } catch {
      // A thread that ended since the listing.
    }
  }
  return lowered;
}
