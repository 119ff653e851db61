/**
 * @overview Batched reads: the lookups by key that many concurrent jobs make in the same turn of
 * the event loop become one query (`WHERE id = ANY(...)`), so a worker running a hundred jobs at
 * once pays a round trip and a query plan per batch, not per job. Each caller gets its own row, or
 * `null` when the query found none; when the query fails, every caller of that batch sees the error.
 */
export interface BatchedReadOptions {
  /** The most keys one query takes; the rest wait for the next. Default 500. */
  maxBatchSize?: number;
}

interface Waiting<K, V> {
  key: K;
  resolve: (value: V | null) => void;
  reject: (error: unknown) => void;
}

export class BatchedRead<K, V> {
  private waiting: Waiting<K, V>[] = [];
  private scheduled = false;
  private readonly maxBatchSize: number;

  /** `read` returns the rows found for `keys`, by key (a missing key reads as `null`). */
  constructor(
    private readonly read: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
    options: BatchedReadOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
  }

  get(key: K): Promise<V | null> {
    return new Promise<V | null>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // On the next turn, so the lookups of this one share the query.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatchSize);
      const keys = [...new Set(batch.map((waiting) => waiting.key))];
      this.read(keys).then(
        (found) => batch.forEach((waiting) => waiting.resolve(found.get(waiting.key) ?? null)),
        (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
      );
    }
  }
}
