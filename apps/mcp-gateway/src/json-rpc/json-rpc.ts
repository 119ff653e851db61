/**
 * @overview The little of JSON-RPC 2.0 the gateway reads: one message per POST (MCP's Streamable
 * HTTP transport; batches are refused), its method and id, the errors the gateway answers itself,
 * and the messages of an upstream answer, which is JSON or an SSE stream of JSON messages.
 *
 * @see JSON-RPC 2.0 §4–5; MCP Streamable HTTP transport (POST bodies, `text/event-stream` answers)
 */

export type JsonRpcId = string | number | null;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: unknown;
}

/** Error codes: JSON-RPC's own, and one of the implementation-defined range for a policy refusal. */
export const errorCodes = { parseError: -32700, invalidRequest: -32600, invalidParams: -32602, internalError: -32603, forbidden: -32003, upstreamUnavailable: -32004 } as const;

export function errorMessage(id: JsonRpcId, code: number, message: string, data?: Record<string, unknown>): JsonRpcMessage & { error: { code: number; message: string; data?: Record<string, unknown> } } {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** A member of the request's `params._meta` (MCP's reserved metadata object), or undefined. */
export function metaOf(message: JsonRpcMessage, key: string): unknown {
  const meta = message.params?.['_meta'];
  return meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>)[key] : undefined;
}

/** One JSON-RPC message, or why the body is not one. */
export function parseMessage(text: string): { message: JsonRpcMessage } | { refusal: { code: number; message: string } } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { refusal: { code: errorCodes.parseError, message: 'The body is not JSON' } };
  }
  if (Array.isArray(value)) {
    return { refusal: { code: errorCodes.invalidRequest, message: 'Send one JSON-RPC message per request; batches are not accepted' } };
  }
  if (value === null || typeof value !== 'object' || (value as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    return { refusal: { code: errorCodes.invalidRequest, message: 'The body is not a JSON-RPC 2.0 message' } };
  }
  const message = value as JsonRpcMessage;
  if (message.method !== undefined && typeof message.method !== 'string') {
    return { refusal: { code: errorCodes.invalidRequest, message: '"method" must be a string' } };
  }
  if (message.params !== undefined && (message.params === null || typeof message.params !== 'object')) {
    return { refusal: { code: errorCodes.invalidRequest, message: '"params" must be an object' } };
  }
  return { message };
}

/**
 * Rewrites every JSON-RPC message of an upstream answer (`application/json`, or the `data:` lines
 * of a `text/event-stream`) with `rewrite`; anything else is kept as it is.
 */
export function rewriteMessages(body: string, contentType: string, rewrite: (message: JsonRpcMessage) => JsonRpcMessage): string {
  const rewriteJson = (text: string) => {
    try {
      return JSON.stringify(rewrite(JSON.parse(text) as JsonRpcMessage));
    } catch {
      return text;
    }
  };
  if (!contentType.includes('text/event-stream')) {
    return rewriteJson(body);
  }
  // SSE events are separated by blank lines; a message is the event's `data:` lines joined (HTML §9.2.6).
  return body
    .split(/\r?\n\r?\n/)
    .map((event) => {
      const lines = event.split(/\r?\n/);
      const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
      if (data.length === 0) {
        return event;
      }
      return [...lines.filter((line) => !line.startsWith('data:')), `data: ${rewriteJson(data.join('\n'))}`].join('\n');
    })
    .join('\n\n');
}
