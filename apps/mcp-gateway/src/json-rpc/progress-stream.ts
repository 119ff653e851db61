/**
 * @overview The answer to a request that takes long at the gateway itself (a high-risk tool call
 * waiting for an approver): an SSE stream, as MCP's Streamable HTTP transport allows for any
 * request, that carries a `notifications/progress` for the request's progress token at a steady
 * pace and then the final answer. A client that resets its request timeout on progress (the MCP
 * SDK's `resetTimeoutOnProgress`) then waits as long as the approval may take, instead of giving up
 * at its own request timeout.
 *
 * @see MCP specification, Basic › Utilities › Progress (`_meta.progressToken`, `notifications/progress`)
 * @see MCP specification, Basic › Transports › Streamable HTTP (a POST answered with `text/event-stream`)
 */
import { type JsonRpcMessage, metaOf } from './json-rpc.ts';

export type ProgressToken = string | number;

/** The request's progress token (`params._meta.progressToken`), when it asked for progress. */
export function progressTokenOf(message: JsonRpcMessage): ProgressToken | undefined {
  const token = metaOf(message, 'progressToken');
  return typeof token === 'string' || (typeof token === 'number' && Number.isFinite(token)) ? token : undefined;
}

/** Whether the client takes an SSE answer (Streamable HTTP clients list both types in Accept). */
export function acceptsEventStream(headers: Pick<Headers, 'get'>): boolean {
  return (headers.get('accept') ?? '').toLowerCase().includes('text/event-stream');
}

const sseEvent = (message: JsonRpcMessage) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

/**
 * Answers at once with an SSE stream: a progress notification now and every `everyMs` with
 * `describe()` as its message, until `answer` settles; then the answer's own messages (its SSE
 * events as they come, or its JSON body as one event), and the stream ends.
 */
export function progressStream(token: ProgressToken, everyMs: number, describe: () => string, answer: () => Promise<Response>): Response {
  const encoder = new TextEncoder();
  let progress = 0;
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const notify = () => {
        if (cancelled) {
          return;
        }
        progress += 1;
        controller.enqueue(encoder.encode(sseEvent({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, message: describe() } })));
      };
      notify();
      timer = setInterval(notify, everyMs);
      let final: Response;
      try {
        final = await answer();
      } catch (error) {
        controller.error(error);
        return;
      } finally {
        clearInterval(timer);
      }
      if (cancelled) {
        await final.body?.cancel();
        return;
      }
      if ((final.headers.get('content-type') ?? '').includes('text/event-stream') && final.body !== null) {
        const reader = final.body.getReader();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          controller.enqueue(chunk.value);
        }
      } else {
        const text = await final.text();
        try {
          controller.enqueue(encoder.encode(sseEvent(JSON.parse(text) as JsonRpcMessage)));
        } catch {
          // Not JSON-RPC (an upstream that broke the protocol): nothing a client could match to its request.
        }
      }
      controller.close();
    },
    cancel() {
      cancelled = true;
      clearInterval(timer);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } });
}
