/** Bootstrap only: configuration, the app, listen, and a graceful stop on SIGTERM/SIGINT. */
import { createServer } from 'node:http';

import { CrossgateLogger } from '@crossgate/logging';

import { loadGatewayConfigOrExit } from './config/gateway.config.ts';
import { createGatewayApp } from './gateway.app.ts';

async function main(): Promise<void> {
  const config = loadGatewayConfigOrExit();
  const logger = new CrossgateLogger(config.logLevel, 'crossgate-mcp-gateway');
  const app = createGatewayApp(config, {
    log: (message) => logger.log(message, 'McpGateway'),
    warn: (message) => logger.warn(message, 'McpGateway'),
    error: (message) => logger.error(message, 'McpGateway'),
  });

  const server = createServer((request, response) => void app.nodeHandler(request, response));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, resolve);
  });

  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: stopping`, 'McpGateway');
    server.closeAllConnections();
    // The tool calls' audit records still pending go to Crossgate before the process ends.
    server.close(() => void app.close().finally(() => process.exit(0)));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  if (config.crossgate.client === undefined) {
    logger.warn('No MCP_GATEWAY_CLIENT_ID/MCP_GATEWAY_CLIENT_SECRET: every call is refused with 503 until the gateway has a client at Crossgate', 'McpGateway');
  }
  process.stdout.write(['', `MCP gateway is up: ${config.http.publicUrl}/mcp/<resource slug>`, `  Crossgate                     ${config.crossgate.url}`, '', ''].join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`The MCP gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
