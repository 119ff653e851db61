/**
 * @overview The two HTTP calls a rotation makes to the target: the push of the new credential to the
 * connection's rotation hook, and the test call that proves the target accepts it. Both go through the
 * same SSRF guard as remote JWKS (libs/token `checkUrl` + `safeLookup`): http(s) only, private and
 * loopback addresses refused outside development, redirects not followed.
 *
 * Failure reasons are written for the admin's alert and the audit log: they name what went wrong, and
 * never carry the request or the answer's body (a misbehaving target might echo the credential).
 */
import http from 'node:http';
import https from 'node:https';

import { checkUrl, JwksError, safeLookup } from '@crossgate/token';

export type RotationFailureCode =
  | 'hook_not_configured'
  | 'url_not_allowed'
  | 'unreachable'
  | 'timeout'
  | 'http_status'
  | 'not_json'
  | 'wrong_shape'
  | 'verify_refused';

/** A step of the rotation failed; `message` is safe to show and audit. */
export class RotationStepError extends Error {
  override readonly name = 'RotationStepError';
  constructor(
    readonly code: RotationFailureCode,
    message: string,
  ) {
    super(message);
  }
}

export interface HookCallOptions {
  timeoutMs: number;
  allowInsecureLoopback: boolean;
}

export interface HookAnswer {
  status: number;
  body: string;
}

const maxAnswerBytes = 64 * 1024;

/** The push's body, as the hook receives it. */
export interface RotationPush {
  connection_id: string;
  version: number;
  credential: string;
  /** How long the target may keep accepting the previous credential; 0 when it is compromised. */
  previous_valid_for_seconds: number;
}

/**
 * POSTs the new credential to the hook, authenticated with the hook credential. The hook must answer
 * 2xx with JSON `{ "accepted": true, "version": <the pushed version> }`. Pushing the same version again
 * must be harmless at the target (a resumed rotation re-pushes the same value).
 */
export async function pushCredential(url: string, hookCredential: string, push: RotationPush, options: HookCallOptions): Promise<void> {
  const answer = await guardedCall('rotation hook', 'POST', url, { authorization: `Bearer ${hookCredential}`, 'content-type': 'application/json' }, JSON.stringify(push), options);
  if (answer.status < 200 || answer.status > 299) {
    throw new RotationStepError('http_status', `The rotation hook answered HTTP ${answer.status}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw new RotationStepError('not_json', 'The rotation hook did not answer with JSON');
  }
  const confirmed = typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>)['accepted'] === true;
  const version = confirmed ? (parsed as Record<string, unknown>)['version'] : undefined;
  if (!confirmed || version !== push.version) {
    throw new RotationStepError('wrong_shape', `The rotation hook's answer does not confirm version ${push.version} (expected {"accepted": true, "version": ${push.version}})`);
  }
}

/** Calls the verify URL with the new credential as a Bearer token; any 2xx proves the target accepts it. */
export async function verifyCredential(url: string, credential: string, options: HookCallOptions): Promise<void> {
  const answer = await guardedCall('verify URL', 'GET', url, { authorization: `Bearer ${credential}` }, null, options);
  if (answer.status < 200 || answer.status > 299) {
    throw new RotationStepError('verify_refused', `The target refused the new credential at the verify URL (HTTP ${answer.status})`);
  }
}

/**
 * One outbound call through the SSRF guard, with a timeout and a cap on the answer's size. Its errors
 * (`url_not_allowed`, `unreachable`, `timeout`, `not_json` for an oversized answer) name the host, never
 * a header or body. `agent` keeps connections open across calls (SET pushes); by default each call
 * has a connection of its own.
 */
export function guardedCall(
  what: string,
  method: 'GET' | 'POST',
  input: string,
  headers: Record<string, string>,
  body: string | null,
  options: HookCallOptions & { agent?: { http: http.Agent; https: https.Agent } },
): Promise<HookAnswer> {
  let url: URL;
  try {
    url = checkUrl(input, { allowInsecureLoopback: options.allowInsecureLoopback });
  } catch (error) {
    throw new RotationStepError('url_not_allowed', `The ${what} is not allowed: ${error instanceof Error ? error.message : 'invalid URL'}`);
  }
  return new Promise<HookAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: HookAnswer | RotationStepError) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof RotationStepError) {
          request.destroy();
          reject(outcome);
        } else {
          resolve(outcome);
        }
      }
    };
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method,
      agent: options.agent === undefined ? false : url.protocol === 'https:' ? options.agent.https : options.agent.http,
      lookup: safeLookup(url, { allowInsecureLoopback: options.allowInsecureLoopback }),
      headers: {
        accept: 'application/json',
        'accept-encoding': 'identity',
        ...(options.agent === undefined ? { connection: 'close' } : {}),
        ...headers,
        ...(body === null ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      },
    });
    const timer = setTimeout(
      () => finish(new RotationStepError('timeout', `The ${what} did not answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('error', (error) => {
      const reason = error instanceof JwksError ? error.message : ((error as NodeJS.ErrnoException).code ?? 'network error');
      finish(new RotationStepError('unreachable', `The ${what} at ${url.host} is unreachable (${reason})`));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxAnswerBytes) {
          finish(new RotationStepError('not_json', `The ${what} sent more than ${maxAnswerBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => finish({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', () => finish(new RotationStepError('unreachable', `The ${what} at ${url.host} broke off its answer`)));
    });
    request.end(body ?? undefined);
  });
}
