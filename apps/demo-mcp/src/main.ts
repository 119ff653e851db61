/** Bootstrap only: configuration, the app, listen, and a graceful stop on SIGTERM/SIGINT. */
import { createServer } from 'node:http';

import { CrossgateLogger } from '@crossgate/logging';

import { AuthorizationServerUnavailableError } from './authorization-server/authorization-server.ts';
import { loadDemoMcpConfigOrExit } from './config/demo-mcp.config.ts';
import { createDemoMcpApp } from './demo-mcp.app.ts';
import { protectedResourceMetadataUrls } from './protected-resource/protected-resource.ts';

async function main(): Promise<void> {
  const config = loadDemoMcpConfigOrExit();
  const logger = new CrossgateLogger(config.logLevel, 'crossgate-demo-mcp');
  const app = createDemoMcpApp(config, {
    log: (message) => logger.log(message, 'DemoMcp'),
    warn: (message) => logger.warn(message, 'DemoMcp'),
    error: (message) => logger.error(message, 'DemoMcp'),
  });

  const server = createServer((request, response) => void app.nodeHandler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, resolve);
  });

  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: stopping`, 'DemoMcp');
    server.closeAllConnections();
    void app.close().finally(() => server.close(() => process.exit(0)));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  process.stdout.write(
    [
      '',
      `Demo MCP server is up: ${config.resource}`,
      `  Protected-resource metadata  ${protectedResourceMetadataUrls(config.resource).pathSpecific}`,
      `  Authorization server         ${config.authorizationServer.issuer}`,
      `  Token validation             ${config.tokenValidation.mode}`,
      `  SSF receiver (RFC 8935)      ${config.securityEvents.endpointUrl}`,
      '',
      '',
    ].join('\n'),
  );

  // Not fatal: Crossgate may get this resource later; until then requests are refused with 503.
  try {
    await app.authorizationServer.discover();
  } catch (error) {
    if (!(error instanceof AuthorizationServerUnavailableError)) {
      throw error;
    }
    logger.warn(`${error.message}; tokens are refused until the resource exists in Crossgate`, 'DemoMcp');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`The demo MCP server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
