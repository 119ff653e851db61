/**
 * @overview The secret-leak scan: plant secret values, let a full run happen over HTTP, and find
 * every place a planted value shows up. Everything the API process prints (stdout and stderr, every
 * line) and every HTTP response this process receives (status line, headers and body, through a
 * wrapped global `fetch`) is kept; `leaks()` reports each occurrence of a planted value, raw or in a
 * common encoding, outside the responses a test marked as the value's one legitimate answer (by
 * their `x-request-id`). Other work (STS, rotation) plants its own values in the same scan.
 */
import type { ChildProcess } from 'node:child_process';

export interface Observation {
  /** Where it was seen: `api stdout`, `GET /api/connections → 200`, … */
  where: string;
  text: string;
  /** The response's `x-request-id`, when it is one. */
  requestId: string | null;
}

export interface Leak {
  where: string;
  /** The planted value's label, never the value. */
  secret: string;
  encoding: string;
  excerpt: string;
}

/** The encodings a value could travel in unnoticed. */
function encodingsOf(value: string): Record<string, string> {
  const bytes = Buffer.from(value, 'utf8');
  return {
    raw: value,
    base64: bytes.toString('base64').replace(/=+$/, ''),
    base64url: bytes.toString('base64url'),
    uri: encodeURIComponent(value),
    json: JSON.stringify(value).slice(1, -1),
    hex: bytes.toString('hex'),
  };
}

export class SecretLeakScan {
  private readonly planted = new Map<string, string>();
  private readonly observations: Observation[] = [];
  /** Request id → the planted values its response may carry. */
  private readonly legitimate = new Map<string, Set<string>>();
  private originalFetch: typeof fetch | undefined;

  /** Adds a value to look for; `label` names it in reports (the value itself is never printed). */
  plant(label: string, value: string): string {
    if (value.length < 12) {
      throw new Error('A planted value needs at least 12 characters, or it would match by chance');
    }
    this.planted.set(label, value);
    return value;
  }

  /** Keeps every line a child process prints. */
  watch(child: ChildProcess, label = 'api'): void {
    for (const [name, stream] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.observations.push({ where: `${label} ${name}`, text: chunk, requestId: null }));
    }
  }

  /** Records something seen elsewhere (rows read from the database, a file). */
  observe(where: string, text: string): void {
    this.observations.push({ where, text, requestId: null });
  }

  /** Wraps the global `fetch` so every response's status, headers and body are recorded; `stop` restores it. */
  start(): void {
    const original = globalThis.fetch;
    this.originalFetch = original;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await original(input, init);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const url = new URL(input instanceof Request ? input.url : String(input));
      const body = await response.clone().text();
      const headers = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join('\n');
      this.observations.push({ where: `${method} ${url.pathname}${url.search} → ${response.status}`, text: `${response.status} ${response.statusText}\n${headers}\n\n${body}`, requestId: response.headers.get('x-request-id') });
      return response;
    };
  }

  stop(): void {
    if (this.originalFetch !== undefined) {
      globalThis.fetch = this.originalFetch;
      this.originalFetch = undefined;
    }
  }

  /** The response with this `x-request-id` is the one place the value may appear (its retrieval). */
  allow(requestId: string | null, label: string): void {
    if (requestId === null || !this.planted.has(label)) {
      throw new Error(`Cannot allow ${label} in a response without a request id or for a value never planted`);
    }
    this.legitimate.set(requestId, new Set([...(this.legitimate.get(requestId) ?? []), label]));
  }

  /** Allows the value in the one response seen so far whose `where` matches (a response that reveals a value once, like a generated client secret). */
  allowResponse(where: RegExp, label: string): void {
    const matching = this.observations.filter((observation) => observation.requestId !== null && where.test(observation.where));
    if (matching.length !== 1) {
      throw new Error(`Expected one response matching ${String(where)}, saw ${matching.length}`);
    }
    this.allow(matching[0]!.requestId, label);
  }

  /** How many responses and output chunks were seen: a scan of nothing proves nothing. */
  get observed(): { responses: number; outputChunks: number } {
    const responses = this.observations.filter((observation) => observation.where.includes(' → ')).length;
    return { responses, outputChunks: this.observations.length - responses };
  }

  /** Every occurrence of a planted value outside its legitimate responses. */
  leaks(): Leak[] {
    const found: Leak[] = [];
    for (const observation of this.observations) {
      const allowed = observation.requestId === null ? undefined : this.legitimate.get(observation.requestId);
      for (const [label, value] of this.planted) {
        if (allowed?.has(label)) {
          continue;
        }
        for (const [encoding, encoded] of Object.entries(encodingsOf(value))) {
          const at = observation.text.indexOf(encoded);
          if (at !== -1) {
            found.push({ where: observation.where, secret: label, encoding, excerpt: observation.text.slice(Math.max(0, at - 60), at).replace(/\s+/g, ' ') + '«planted»' });
            break;
          }
        }
      }
    }
    return found;
  }

  /** How often each legitimate response actually carried its value (a retrieval that did not return it proves nothing). */
  legitimateHits(): Record<string, number> {
    const hits: Record<string, number> = {};
    for (const observation of this.observations) {
      for (const label of (observation.requestId === null ? undefined : this.legitimate.get(observation.requestId)) ?? []) {
        hits[label] = (hits[label] ?? 0) + (observation.text.includes(this.planted.get(label)!) ? 1 : 0);
      }
    }
    return hits;
  }
}
