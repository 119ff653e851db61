/**
 * @overview Group commit: many small durable writes become one transaction. Each caller awaits its
 * own item and learns only after the transaction holding it has committed, so nothing is answered
 * before it is on disk; yet a thousand callers a second cost a handful of commits, not a thousand
 * (and a handful of turns of the audit chain's lock, which serialises appends across instances).
 *
 * One commit runs at a time per writer; items submitted meanwhile wait for the next one. When a
 * group fails, its items are retried one by one, so one bad item fails only its own caller.
 */
export interface GroupCommitOptions {
  /** The most items one transaction takes; the rest wait for the next. */
  maxGroupSize?: number;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private draining: Promise<void> | null = null;
  private readonly maxGroupSize: number;

  /** `commit` writes the items in one transaction, or throws and writes none of them. */
  constructor(
    private readonly commit: (items: readonly T[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroupSize = options.maxGroupSize ?? 500;
  }

  /** Resolves once `item` is committed; rejects with the commit's error when it could not be. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Started on the next turn, so the requests of the same tick share the first transaction.
      this.draining ??= new Promise<void>((started) => setImmediate(started)).then(() => this.drain());
    });
  }

  /** Resolves when everything submitted so far has been committed or refused. */
  async flushed(): Promise<void> {
    while (this.draining !== null) {
      await this.draining;
    }
  }

  private async drain(): Promise<void> {
    try {
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
    } finally {
      this.draining = null;
    }
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
