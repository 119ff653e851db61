/**
 * @overview The demo MCP server as one web-standard `fetch` handler: the RFC 9728 metadata, then the
 * SSF push receiver (RFC 8935) that feeds the gate's revocations, then the bearer gate, then the MCP SDK's Streamable HTTP handler at `/mcp`. `toNodeHandler` from the SDK's
 * Node adapter mounts it on `node:http`; the composition is plain so the order of checks is visible.
 */
import { createMcpHandler } from '@modelcontextprotocol/server';
import { type NodeMcpRequestHandler, toNodeHandler } from '@modelcontextprotocol/node';

import { createAccessTokenVerifier } from './access-tokens/access-token.verifier.ts';
import { AuthorizationServer, type AuthorizationServerUnavailableError } from './authorization-server/authorization-server.ts';
import { type DemoMcpConfig } from './config/demo-mcp.config.ts';
import { NotesStore } from './notes/notes.store.ts';
import { createNotesServer, notesScopes } from './notes/notes.tools.ts';
import { refusingRevoked, Revocations } from './security-events/revocations.ts';
import { SecurityEventReceiver } from './security-events/security-event.receiver.ts';
import { BearerGate, protectedResourceMetadata, protectedResourceMetadataUrls } from './protected-resource/protected-resource.ts';

export interface DemoMcpLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DemoMcpApp {
  /** The web-standard face, for tests and fetch-native hosts. */
  fetch: (request: Request) => Promise<Response>;
  /** The same handler for `http.createServer`. */
  nodeHandler: NodeMcpRequestHandler;
  authorizationServer: AuthorizationServer;
  /** The SSF push receiver at `/ssf/events`. */
  securityEvents: SecurityEventReceiver;
  /** Aborts in-flight MCP exchanges. */
  close: () => Promise<void>;
}

const pathOf = (url: string) => new URL(url).pathname;

export function createDemoMcpApp(config: DemoMcpConfig, logger: DemoMcpLogger): DemoMcpApp {
  const authorizationServer = new AuthorizationServer(config.authorizationServer.issuer);
  const metadataUrls = protectedResourceMetadataUrls(config.resource);
  const metadata = protectedResourceMetadata({
    resource: config.resource,
    issuer: authorizationServer.issuer,
    scopes: Object.values(notesScopes),
  });
  const securityEvents = new SecurityEventReceiver(
    { transmitter: config.securityEvents.transmitter, audience: config.resource, authorization: config.securityEvents.authorization, log: logger.log },
    new Revocations(),
  );
  const gate = new BearerGate(
    refusingRevoked(createAccessTokenVerifier(config, authorizationServer), securityEvents.revocations),
    config.resource,
    metadataUrls.pathSpecific,
    (error: AuthorizationServerUnavailableError) =>
      logger.warn(`Refused a request: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`),
  );
  const store = new NotesStore();
  const mcp = createMcpHandler(() => createNotesServer(store), {
    onerror: (error) => logger.error(`MCP: ${error.message}`),
  });

  const metadataPaths = new Set([pathOf(metadataUrls.pathSpecific), pathOf(metadataUrls.root)]);
  const mcpPath = pathOf(config.resource);
  const securityEventsPath = pathOf(config.securityEvents.endpointUrl);

  async function fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (metadataPaths.has(path)) {
      return request.method === 'GET'
        ? Response.json(metadata, { headers: { 'access-control-allow-origin': '*' } })
        : new Response(null, { status: 405, headers: { allow: 'GET' } });
    }
    if (path === securityEventsPath) {
      return securityEvents.handle(request);
    }
    if (path !== mcpPath) {
      return Response.json({ error: 'not_found' }, { status: 404 });
    }
    const caller = await gate.authenticate(request);
    if (caller instanceof Response) {
      return caller;
    }
    return mcp.fetch(request, { authInfo: caller });
  }

  return {
    fetch,
    nodeHandler: toNodeHandler({ fetch }, { onerror: (error) => logger.error(`HTTP: ${error.message}`) }),
    authorizationServer,
    securityEvents,
    close: () => mcp.close(),
  };
}
