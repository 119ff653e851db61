/**
 * @overview A legacy MCP server on loopback that will never speak OAuth: it takes one API key in
 * `x-api-key`, or with `credentialHeader: 'authorization'` a service account's HTTP Basic
 * credentials or (with `accept`) a bearer token its OAuth provider vouches for (the set of accepted
 * values can be changed to model a rotation), and serves four tools
 * through the MCP server SDK, stateless. It records which headers reached it, so a test can prove
 * the agent's token never does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

export interface LegacyMcp {
  url: string;
  /** The header values the server accepts now. */
  acceptedKeys: Set<string>;
  /** The header names of every request that reached it, and the status it answered. */
  seen: { headers: string[]; status: number }[];
  /**
   * Answer each request with one JSON body and its `content-length` instead of an SSE stream (both
   * are Streamable HTTP), as servers that never stream do.
   */
  answerAsJson: boolean;
  close(): Promise<void>;
}

function legacyServer(): McpServer {
  const server = new McpServer({ name: 'legacy-tickets', version: '1.0.0' });
  server.registerTool('tickets_search', { description: 'Searches tickets', inputSchema: z.object({ query: z.string() }) }, ({ query }) => ({
    content: [{ type: 'text' as const, text: `3 tickets match "${query}"` }],
  }));
  server.registerTool('tickets_close', { description: 'Closes a ticket', inputSchema: z.object({ id: z.string() }) }, ({ id }) => ({ content: [{ type: 'text' as const, text: `closed ${id}` }] }));
  server.registerTool('tickets_purge', { description: 'Deletes every ticket' }, () => ({ content: [{ type: 'text' as const, text: 'purged' }] }));
  server.registerTool('debug_dump', { description: 'Not published through the gateway' }, () => ({ content: [{ type: 'text' as const, text: 'internals' }] }));
  return server;
}

/**
 * @param options.credentialHeader where the credential comes; `accept` decides on it instead of the
 *   set of accepted values (an upstream that asks its OAuth provider about a bearer token).
 */
export async function startLegacyMcp(
  initialKey: string,
  { credentialHeader = 'x-api-key', accept }: { credentialHeader?: 'x-api-key' | 'authorization'; accept?: (value: string) => Promise<boolean> } = {},
): Promise<LegacyMcp> {
  const acceptedKeys = new Set([initialKey]);
  const seen: LegacyMcp['seen'] = [];
  const mcp = createMcpHandler(() => legacyServer());
  const handler = toNodeHandler({
    fetch: async (request: Request) => {
      const headers = [...request.headers.keys()];
      const key = request.headers.get(credentialHeader);
      if (key === null || !(accept === undefined ? acceptedKeys.has(key) : await accept(key))) {
        seen.push({ headers, status: 401 });
        return Response.json({ error: 'bad credentials' }, { status: 401 });
      }
      const answer = await mcp.fetch(request);
      seen.push({ headers, status: answer.status });
      return legacy.answerAsJson ? asJson(answer) : answer;
    },
  });
  const server: Server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const legacy: LegacyMcp = {
    url: `http://127.0.0.1:${port}/mcp`,
    acceptedKeys,
    seen,
    answerAsJson: false,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mcp.close();
    },
  };
  return legacy;
}

/** An SSE answer of one message as that message's JSON body. */
async function asJson(answer: Response): Promise<Response> {
  if (!(answer.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return answer;
  }
  const data = (await answer.text())
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice('data:'.length).trim());
  const text = data.length === 1 ? data[0]! : `[${data.join(',')}]`;
  return new Response(text, { status: answer.status, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } });
}
