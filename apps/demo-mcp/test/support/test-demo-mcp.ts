/** The demo MCP server on a loopback port, wired to a test authorization server, plus an MCP SDK client. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { loadDemoMcpConfig } from '../../src/config/demo-mcp.config.ts';
import { createDemoMcpApp, type DemoMcpApp } from '../../src/demo-mcp.app.ts';
import { TestAuthorizationServer } from './test-authorization-server.ts';

export interface TestDemoMcp {
  as: TestAuthorizationServer;
  /** The MCP endpoint, which is also the resource identifier. */
  url: string;
  metadataUrl: string;
  /** Where SETs are pushed (RFC 8935). */
  ssfUrl: string;
  app: DemoMcpApp;
  /** What the server logged as warnings or errors. */
  logged: string[];
  close(): Promise<void>;
}

export async function startTestDemoMcp(environment: Record<string, string> = {}): Promise<TestDemoMcp> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const as = await TestAuthorizationServer.start({ slug: 'demo-mcp', resource: () => `${publicUrl}/mcp` });

  const config = loadDemoMcpConfig({ DEMO_MCP_PUBLIC_URL: publicUrl, CROSSGATE_URL: as.origin, ...environment });
  const logged: string[] = [];
  const app = createDemoMcpApp(config, { log: (message) => logged.push(message), warn: (message) => logged.push(message), error: (message) => logged.push(message) });
  server.on('request', (request, response) => void app.nodeHandler(request, response));

  return {
    as,
    url: config.resource,
    metadataUrl: `${publicUrl}/.well-known/oauth-protected-resource/mcp`,
    ssfUrl: config.securityEvents.endpointUrl,
    app,
    logged,
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await as.close();
    },
  };
}

/** An MCP client that sends the access token as a bearer header, as an agent holding one would. */
export async function connectWithToken(url: string, token: string, fetchFn: typeof fetch = fetch): Promise<Client> {
  const client = new Client({ name: 'crossgate-test-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: fetchFn,
  });
  await client.connect(transport);
  return client;
}

/** The JSON a demo tool returns as its one text block. */
export function toolJson(result: unknown): Record<string, unknown> {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  const text = content.find((block) => block.type === 'text')?.text;
  if (text === undefined) {
    throw new Error(`No text content in ${JSON.stringify(result)}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}
