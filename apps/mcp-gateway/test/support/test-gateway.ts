/** The MCP gateway on a loopback port, in process, collecting what it warns about. */
import { createServer } from 'node:http';

import { loadGatewayConfig } from '../../src/config/gateway.config.ts';
import { createGatewayApp } from '../../src/gateway.app.ts';

export interface TestGateway {
  /** Every warning and error the gateway logged; a test expects none unless it provokes them. */
  warnings: string[];
  close(): Promise<void>;
}

/** Starts the gateway on `port` for Crossgate at `crossgateUrl` as `client`, with more MCP_GATEWAY_* variables. */
export async function startTestGateway(port: number, crossgateUrl: string, client: { clientId: string; secret: string }, environment: Record<string, string> = {}): Promise<TestGateway> {
  const warnings: string[] = [];
  const config = loadGatewayConfig({
    MCP_GATEWAY_PORT: String(port),
    MCP_GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    CROSSGATE_URL: crossgateUrl,
    MCP_GATEWAY_CLIENT_ID: client.clientId,
    MCP_GATEWAY_CLIENT_SECRET: client.secret,
    ...environment,
  });
  const app = createGatewayApp(config, { log: () => undefined, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) });
  const server = createServer((request, response) => void app.nodeHandler(request, response));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    warnings,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    },
  };
}
