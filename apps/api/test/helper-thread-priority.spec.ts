/**
 * The API's helper threads run at a lower priority than its event loop (platform/helper-thread-priority.ts).
 * Each case runs in a process of its own, so this test's threads keep theirs, and reads the nice
 * values back from /proc as the kernel holds them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Observed {
  /** How many threads the function says it lowered. */
  result: number | null;
  /** The nice value of each thread of the process, the event loop's first. */
  eventLoop: number;
  helpers: number[];
}

const probe = `
import { readdirSync, readFileSync } from 'node:fs';
import { lowerHelperThreadPriority } from './apps/api/src/platform/helper-thread-priority.ts';
const result = await lowerHelperThreadPriority(Number(process.argv[1]));
const niceOf = (thread) => Number(readFileSync('/proc/self/task/' + thread + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
const threads = readdirSync('/proc/self/task').map(Number);
process.stdout.write(JSON.stringify({ result, eventLoop: niceOf(process.pid), helpers: threads.filter((id) => id !== process.pid).map(niceOf) }));
`;

async function observe(nice: number): Promise<Observed> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, String(nice)], { cwd: repositoryRoot });
  return JSON.parse(stdout) as Observed;
}

const linux = process.platform === 'linux';

(linux ? describe : describe.skip)('lowerHelperThreadPriority', () => {
  it('should give every helper thread, the whole libuv pool among them, the nice value and leave the event loop at 0', async () => {
    const observed = await observe(10);
    // libuv's default pool alone is four threads; V8's platform threads come on top.
    expect(observed.helpers.length).toBeGreaterThanOrEqual(4);
    expect(observed.result).toBe(observed.helpers.length);
    expect(observed.helpers.every((nice) => nice === 10)).toBe(true);
    expect(observed.eventLoop).toBe(0);
  });

  it('should leave every thread alone at 0', async () => {
    const observed = await observe(0);
    expect(observed.result).toBeNull();
    expect(observed.helpers.every((nice) => nice === 0)).toBe(true);
    expect(observed.eventLoop).toBe(0);
  });
});
