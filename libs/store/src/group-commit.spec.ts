import { GroupCommit } from './group-commit.ts';

/** A commit function that records the groups it was given and can be told to fail. */
function recordingCommit(options: { failWhen?: (items: readonly number[]) => boolean; delayMs?: number } = {}) {
  const groups: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const commit = async (items: readonly number[]): Promise<void> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
      if (options.failWhen?.(items)) {
        throw new Error(`refused ${items.join(',')}`);
      }
      groups.push([...items]);
    } finally {
      inFlight -= 1;
    }
  };
  return { commit, groups, maxInFlight: () => maxInFlight };
}

describe('GroupCommit', () => {
  it('should commit concurrent submissions together, one transaction at a time, resolving each after its commit', async () => {
    const { commit, groups, maxInFlight } = recordingCommit();
    const writer = new GroupCommit(commit);
    const committedWhenResolved: boolean[] = [];

    await Promise.all(
      Array.from({ length: 100 }, (_, item) => writer.submit(item).then(() => committedWhenResolved.push(groups.some((group) => group.includes(item))))),
    );

    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, item) => item));
    expect(groups.length).toBeLessThanOrEqual(2);
    expect(maxInFlight()).toBe(1);
    expect(committedWhenResolved.every(Boolean)).toBe(true);
  });

  it('should take later submissions into the next group while a commit is running', async () => {
    const { commit, groups } = recordingCommit({ delayMs: 20 });
    const writer = new GroupCommit(commit);

    const first = writer.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [writer.submit(2), writer.submit(3), writer.submit(4)];
    await Promise.all([first, ...later]);

    expect(groups).toEqual([[1], [2, 3, 4]]);
  });

  it('should cap a group at maxGroupSize', async () => {
    const { commit, groups } = recordingCommit();
    const writer = new GroupCommit(commit, { maxGroupSize: 10 });

    await Promise.all(Array.from({ length: 25 }, (_, item) => writer.submit(item)));

    expect(groups.map((group) => group.length)).toEqual([10, 10, 5]);
  });

  it('should fail only the bad item when its group fails, committing the others one by one', async () => {
    const { commit, groups } = recordingCommit({ failWhen: (items) => items.includes(13) });
    const writer = new GroupCommit(commit);

    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, item) => writer.submit(item)));

    const rejected = outcomes.flatMap((outcome, item) => (outcome.status === 'rejected' ? [item] : []));
    expect(rejected).toEqual([13]);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, item) => item).filter((item) => item !== 13));
  });

  it('should wait in flushed() until everything submitted has been committed', async () => {
    const { commit, groups } = recordingCommit({ delayMs: 10 });
    const writer = new GroupCommit(commit, { maxGroupSize: 2 });
    void writer.submit(1);
    void writer.submit(2);
    void writer.submit(3);

    await writer.flushed();

    expect(groups.flat()).toEqual([1, 2, 3]);
  });
});

describe('GroupCommit with two commits at once', () => {
  it('should overlap a second group with the first, never run more than two, and leave nothing behind', async () => {
    const { commit, groups, maxInFlight } = recordingCommit({ delayMs: 10 });
    const writer = new GroupCommit(commit, { maxConcurrentCommits: 2 });

    const submitted: Promise<void>[] = [];
    for (let wave = 0; wave < 20; wave += 1) {
      for (let item = 0; item < 5; item += 1) {
        submitted.push(writer.submit(wave * 5 + item));
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await Promise.all(submitted);
    await writer.flushed();

    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, item) => item));
    expect(maxInFlight()).toBe(2);
  });

  it('should never strand an item submitted as a drain finishes', async () => {
    const { commit, groups } = recordingCommit({ delayMs: 1 });
    const writer = new GroupCommit(commit, { maxConcurrentCommits: 1 });

    // Each item is submitted from the continuation of the previous one's commit.
    let chain = writer.submit(0);
    for (let item = 1; item < 30; item += 1) {
      chain = chain.then(() => writer.submit(item));
    }
    await chain;

    expect(groups.flat()).toEqual(Array.from({ length: 30 }, (_, item) => item));
  });
});
