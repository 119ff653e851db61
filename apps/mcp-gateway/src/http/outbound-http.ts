/**
 * @overview The gateway's outbound HTTP, to its upstreams and to Crossgate alike: node:http(s)
 * over kept-alive connections (one agent per scheme per gateway), the answer as node's own stream,
 * redirects not followed. One timer bounds a request and its whole answer; past it, the request is
 * destroyed and its answer's body ends with an error. Lighter per request than `fetch`, which
 * builds web streams, an abort signal and a web Response per call, on the path every tool call
 * takes.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface OutboundRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
}

export class OutboundHttp {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  /** The answer once its head has come, its body still to read; rejects with the cause when there is none. */
  send(url: URL, { method, headers, body, timeoutMs }: OutboundRequest): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const outgoing = (secure ? httpsRequest : httpRequest)(url, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
        agent: secure ? this.https : this.http,
      });
      const timer = setTimeout(() => outgoing.destroy(new Error(`No complete answer within ${timeoutMs} ms`)), timeoutMs);
      // Before an answer, the request fails; after, the answer's body ends early, which its reader sees.
      outgoing.on('error', (cause) => {
        clearTimeout(timer);
        reject(cause);
      });
      outgoing.once('response', (response) => {
        response.once('close', () => clearTimeout(timer));
        resolve(response);
      });
      outgoing.end(body);
    });
  }
}

/** An answer's whole body as text. */
export async function bodyText(answer: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
