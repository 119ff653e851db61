import { BatchedRead } from './batched-read.ts';

describe('BatchedRead', () => {
  it('answers the lookups of one turn with one read, each caller its own row or null', async () => {
    const reads: string[][] = [];
    const rows = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const loader = new BatchedRead<string, number>(async (keys) => {
      reads.push([...keys]);
      return new Map(keys.flatMap((key) => (rows.has(key) ? [[key, rows.get(key)!] as const] : [])));
    });

    const answers = await Promise.all([loader.get('a'), loader.get('b'), loader.get('a'), loader.get('missing')]);

    expect(answers).toEqual([1, 2, 1, null]);
    expect(reads).toEqual([['a', 'b', 'missing']]);
  });

  it('splits a turn into reads of at most maxBatchSize keys, and a later turn reads again', async () => {
    const reads: number[][] = [];
    const loader = new BatchedRead<number, number>(
      async (keys) => {
        reads.push([...keys]);
        return new Map(keys.map((key) => [key, key * 10]));
      },
      { maxBatchSize: 2 },
    );

    expect(await Promise.all([1, 2, 3].map((key) => loader.get(key)))).toEqual([10, 20, 30]);
    expect(await loader.get(4)).toBe(40);
    expect(reads).toEqual([[1, 2], [3], [4]]);
  });

  it('rejects every caller of a batch whose read failed, and recovers on the next', async () => {
    let fail = true;
    const loader = new BatchedRead<string, string>(async (keys) => {
      if (fail) {
        throw new Error('database unavailable');
      }
      return new Map(keys.map((key) => [key, key.toUpperCase()]));
    });

    const failed = await Promise.allSettled([loader.get('x'), loader.get('y')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await loader.get('x')).toBe('X');
  });
});
