import { GatewayConfigError, loadGatewayConfig } from './gateway.config.ts';

describe('loadGatewayConfig', () => {
  it('should default to a loopback gateway without a Crossgate client', () => {
    expect(loadGatewayConfig({})).toEqual({
      http: { host: '127.0.0.1', port: 3200, publicUrl: 'http://localhost:3200' },
      crossgate: { url: 'http://localhost:3000' },
      cache: { tokenMs: 1_000, routeMs: 10_000, credentialMs: 5_000 },
      maxMessageBytes: 1024 * 1024,
      approvalProgressMs: 10_000,
      upstreamTimeoutMs: 30_000,
      auditFlushMs: 10,
      logLevel: 'log',
    });
  });

  it('should take the client, strip trailing slashes and treat empty variables as unset', () => {
    const config = loadGatewayConfig({ MCP_GATEWAY_PUBLIC_URL: 'https://gw.example/', CROSSGATE_URL: 'https://cg.example//', MCP_GATEWAY_CLIENT_ID: 'gw', MCP_GATEWAY_CLIENT_SECRET: 's3cret', MCP_GATEWAY_TOKEN_CACHE_MS: '' });
    expect(config.http.publicUrl).toBe('https://gw.example');
    expect(config.crossgate).toEqual({ url: 'https://cg.example', client: { clientId: 'gw', clientSecret: 's3cret' } });
    expect(config.cache.tokenMs).toBe(1_000);
  });

  it('should name every bad variable at once, and ask for both client variables or neither', () => {
    expect(() => loadGatewayConfig({ MCP_GATEWAY_PORT: 'abc', CROSSGATE_URL: 'ftp://x', MCP_GATEWAY_MAX_MESSAGE_BYTES: '10' })).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^MCP_GATEWAY_PORT: /), expect.stringMatching(/^CROSSGATE_URL: /), expect.stringMatching(/^MCP_GATEWAY_MAX_MESSAGE_BYTES: /)] }) as Error,
    );
    expect(() => loadGatewayConfig({ MCP_GATEWAY_CLIENT_ID: 'gw' })).toThrow(GatewayConfigError);
  });
});
