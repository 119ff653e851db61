/**
 * @overview Webhook posts signed as Standard Webhooks specifies: `webhook-id` (the same on every
 * retry, for the receiver's de-duplication), `webhook-timestamp` (Unix seconds) and
 * `webhook-signature`, `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>` under the secret.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
import { createHmac } from 'node:crypto';

export interface WebhookTarget {
  url: string;
  /** The HMAC key: the bytes after `whsec_`, base64-decoded. */
  key: Uint8Array;
  timeoutMs: number;
}

/** A post the receiver did not acknowledge; the message names the cause, never the body or the key. */
export class WebhookPostError extends Error {
  override readonly name = 'WebhookPostError';
}

/** The three signature headers for `body`, sent at `at`. */
export function webhookSignatureHeaders(key: Uint8Array, id: string, at: Date, body: string): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000).toString();
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/** POSTs `body` (JSON) signed; resolves on a 2xx answer, else throws {@link WebhookPostError}. */
export async function postSignedWebhook(target: WebhookTarget, id: string, body: string, at: Date): Promise<void> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookSignatureHeaders(target.key, id, at, body) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new WebhookPostError(timedOut ? `no answer within ${target.timeoutMs} ms` : `unreachable (${causeOf(error)})`);
  }
  // The answer's body is not read into any message: a receiver might echo what it was sent.
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) {
    throw new WebhookPostError(`answered HTTP ${response.status}`);
  }
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown error';
}
