/**
 * @overview The audit records of tool calls, sent to Crossgate in batches: one request to
 * `<issuer>/gateway/tool-calls` carries the calls of one fronted resource that came within
 * `flushMs` (at most {@link maxCallsPerBatch} calls or about {@link maxBatchBytes}), each call with
 * its own access token, so Crossgate attributes every call from its token, as for a single one.
 * One batch per resource is in flight at a time, so calls are recorded in the order they were made;
 * the calls that come meanwhile go in the next batch, so a resource's batches are at most about
 * 1000 / `flushMs` a second however many calls there are.
 *
 * A call is never delayed by its record: a batch that fails, or a call Crossgate refuses to record,
 * is reported (one warning per call), never thrown. `flushed()` sends whatever is pending, for a
 * graceful stop.
 */
import { z } from 'zod';

/** Crossgate takes at most this many calls in one request. */
export const maxCallsPerBatch = 100;
/** Well below Crossgate's default body limit (100 KB), form-encoding included. */
export const maxBatchBytes = 32 * 1024;

const answerSchema = z.object({
  recorded: z.number(),
  refused: z.array(z.object({ index: z.number().int().min(0), error: z.string(), error_description: z.string() })),
});

/** One call's parameters, exactly as Crossgate takes them, and how to name the call in a warning. */
export interface PendingCall {
  parameters: Record<string, string>;
  describe: string;
}

interface Queue {
  calls: { call: PendingCall; json: string }[];
  bytes: number;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
}

export class ToolCallBatches {
  private readonly queues = new Map<string, Queue>();

  constructor(
    /** Posts one batch (`calls`, a JSON array) for the resource `slug`: Crossgate's JSON answer, or a rejection. */
    private readonly post: (slug: string, form: Record<string, string>) => Promise<unknown>,
    private readonly flushMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  add(slug: string, call: PendingCall): void {
    let queue = this.queues.get(slug);
    if (queue === undefined) {
      queue = { calls: [], bytes: 0 };
      this.queues.set(slug, queue);
    }
    const json = JSON.stringify(call.parameters);
    queue.calls.push({ call, json });
    queue.bytes += json.length + 1;
    this.schedule(slug, queue);
  }

  /** A full batch goes at once (unless one is in flight), any other within `flushMs`. */
  private schedule(slug: string, queue: Queue): void {
    if (queue.inFlight !== undefined) {
      return;
    }
    if (queue.calls.length >= maxCallsPerBatch || queue.bytes >= maxBatchBytes || this.flushMs === 0) {
      this.send(slug, queue);
    } else if (queue.timer === undefined) {
      queue.timer = setTimeout(() => this.send(slug, queue), this.flushMs);
      queue.timer.unref();
    }
  }

  /** Resolves once every call added so far has been sent and answered (or reported as not recorded). */
  async flushed(): Promise<void> {
    for (;;) {
      const busy = [...this.queues].filter(([, queue]) => queue.calls.length > 0 || queue.inFlight !== undefined);
      if (busy.length === 0) {
        return;
      }
      for (const [slug, queue] of busy) {
        if (queue.inFlight === undefined) {
          this.send(slug, queue);
        }
      }
      await Promise.all(busy.map(([, queue]) => queue.inFlight));
    }
  }

  private send(slug: string, queue: Queue): void {
    clearTimeout(queue.timer);
    queue.timer = undefined;
    if (queue.calls.length === 0) {
      this.queues.delete(slug);
      return;
    }
    let count = 0;
    let bytes = 0;
    while (count < queue.calls.length && count < maxCallsPerBatch && (count === 0 || bytes + queue.calls[count]!.json.length < maxBatchBytes)) {
      bytes += queue.calls[count]!.json.length + 1;
      count += 1;
    }
    const batch = queue.calls.splice(0, count);
    queue.bytes -= bytes;
    queue.inFlight = this.post(slug, { calls: `[${batch.map(({ json }) => json).join(',')}]` })
      .then(
        (body) => this.report(slug, batch, body),
        (error: unknown) => {
          const why = error instanceof Error ? error.message : String(error);
          for (const { call } of batch) {
            this.warn(`Could not record ${call.describe} at ${slug}: ${why}`);
          }
        },
      )
      .finally(() => {
        queue.inFlight = undefined;
        if (queue.calls.length === 0) {
          this.queues.delete(slug);
        } else {
          this.schedule(slug, queue);
        }
      });
  }

  private report(slug: string, batch: Queue['calls'], body: unknown): void {
    const answer = answerSchema.safeParse(body);
    if (!answer.success) {
      for (const { call } of batch) {
        this.warn(`Could not record ${call.describe} at ${slug}: Crossgate answered something unexpected`);
      }
      return;
    }
    for (const refused of answer.data.refused) {
      const call = batch[refused.index]?.call;
      this.warn(`Could not record ${call?.describe ?? 'a tool call'} at ${slug}: ${refused.error_description}`);
    }
  }
}
