/**
 * @overview Group commit: many small durable writes become one transaction. Each caller awaits its
 * own item and learns only after the transaction holding it has committed, so nothing is answered
 * before it is on disk; yet a thousand callers a second cost a handful of commits, not a thousand
 * (and a handful of turns of the audit chain's lock, which serialises appends across instances).
 *
 * At most `maxConcurrentCommits` commits run at once per writer; items submitted meanwhile wait for
 * the next one. Two let a group's round trips to the database overlap the one before it (the
 * audit chain's lock still orders their appends). When a group fails, its items are retried one by
 * one, so one bad item fails only its own caller.
 */
export interface GroupCommitOptions {
  /** The most items one transaction takes; the rest wait for the next. Default 500. */
  maxGroupSize?: number;
  /** Default 1. */
  maxConcurrentCommits?: number;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  /** Drains running; counted synchronously, so a submission never finds a drain that is about to stop. */
  private active = 0;
  private readonly drains = new Set<Promise<void>>();
  private readonly maxGroupSize: number;
  private readonly maxConcurrentCommits: number;

  /** `commit` writes the items in one transaction, or throws and writes none of them. */
  constructor(
    private readonly commit: (items: readonly T[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroupSize = options.maxGroupSize ?? 500;
    this.maxConcurrentCommits = options.maxConcurrentCommits ?? 1;
  }

  /** Resolves once `item` is committed; rejects with the commit's error when it could not be. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.active < this.maxConcurrentCommits) {
        this.active += 1;
        const drain = this.drain();
        this.drains.add(drain);
        void drain.finally(() => this.drains.delete(drain));
      }
    });
  }

  /** Resolves when everything submitted so far has been committed or refused. */
  async flushed(): Promise<void> {
    while (this.drains.size > 0) {
      await Promise.all(this.drains);
    }
  }

  private async drain(): Promise<void> {
    // Started on the next turn, so the requests of the same tick share the first transaction.
    await new Promise<void>((started) => setImmediate(started));
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.maxGroupSize);
      try {
        await this.commit(group.map((waiting) => waiting.item));
        group.forEach((waiting) => waiting.resolve());
      } catch (error) {
        if (group.length === 1) {
          group[0]!.reject(error);
        } else {
          await this.oneByOne(group);
        }
      }
    }
    // In the same synchronous step as finding nothing waiting (see `active`).
    this.active -= 1;
  }

  private async oneByOne(group: Waiting<T>[]): Promise<void> {
    for (const waiting of group) {
      try {
        await this.commit([waiting.item]);
        waiting.resolve();
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}
