import { DemoMcpConfigError, loadDemoMcpConfig } from './demo-mcp.config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadDemoMcpConfig(env);
  } catch (error) {
    if (error instanceof DemoMcpConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('loadDemoMcpConfig accepted an invalid environment');
}

describe('loadDemoMcpConfig', () => {
  it("should default to port 3100, JWKS validation, and the demo-mcp issuer under Crossgate's default public URL", () => {
    expect(loadDemoMcpConfig({})).toEqual({
      http: { host: '127.0.0.1', port: 3100, publicUrl: 'http://localhost:3100' },
      resource: 'http://localhost:3100/mcp',
      authorizationServer: { issuer: 'http://localhost:3000/ras/demo-mcp', clockSkewSeconds: 30 },
      tokenValidation: { mode: 'jwks' },
      securityEvents: { transmitter: 'http://localhost:3000', endpointUrl: 'http://localhost:3100/ssf/events' },
      logLevel: 'log',
    });
  });

  it('should derive the resource from the public URL and the issuer from Crossgate URL and slug, ignoring trailing slashes', () => {
    const config = loadDemoMcpConfig({
      DEMO_MCP_PUBLIC_URL: 'https://mcp.example.test/',
      CROSSGATE_URL: 'https://crossgate.example.test/',
      DEMO_MCP_RESOURCE_SLUG: 'notes',
    });

    expect(config.resource).toBe('https://mcp.example.test/mcp');
    expect(config.authorizationServer.issuer).toBe('https://crossgate.example.test/ras/notes');
  });

  it('should require the client credentials in introspection mode, naming both', () => {
    expect(problemsOf({ DEMO_MCP_TOKEN_VALIDATION: 'introspection' })).toEqual([
      "DEMO_MCP_CLIENT_ID: is required when DEMO_MCP_TOKEN_VALIDATION=introspection (this server's client at Crossgate)",
      "DEMO_MCP_CLIENT_SECRET: is required when DEMO_MCP_TOKEN_VALIDATION=introspection (this server's client at Crossgate)",
    ]);
  });

  it('should report every bad variable at once', () => {
    const problems = problemsOf({
      DEMO_MCP_PORT: 'many',
      CROSSGATE_URL: 'ftp://crossgate.example.test',
      DEMO_MCP_RESOURCE_SLUG: 'Demo MCP',
      DEMO_MCP_TOKEN_VALIDATION: 'trust-me',
    });

    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'CROSSGATE_URL',
      'DEMO_MCP_PORT',
      'DEMO_MCP_RESOURCE_SLUG',
      'DEMO_MCP_TOKEN_VALIDATION',
    ]);
  });
});
