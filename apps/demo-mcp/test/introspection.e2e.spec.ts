/**
 * Introspection mode (RFC 7662): every request asks the authorization server, authenticated as the
 * demo server's own client, so a revoked token is refused at once; when no clear answer comes back,
 * the request is refused, never served.
 */
import { connectWithToken, startTestDemoMcp, type TestDemoMcp, toolJson } from './support/test-demo-mcp.ts';
import { introspectionClient } from './support/test-authorization-server.ts';

const introspectionEnvironment = {
  DEMO_MCP_TOKEN_VALIDATION: 'introspection',
  DEMO_MCP_CLIENT_ID: introspectionClient.clientId,
  DEMO_MCP_CLIENT_SECRET: introspectionClient.clientSecret,
};

function postMcp(demo: TestDemoMcp, token: string): Promise<Response> {
  return fetch(demo.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

describe('introspection mode', () => {
  let demo: TestDemoMcp;

  beforeEach(async () => {
    demo = await startTestDemoMcp(introspectionEnvironment);
  });

  afterEach(async () => {
    await demo.close();
  });

  it('should serve a tool call for an active token, asking with client_secret_basic and the token', async () => {
    const token = await demo.as.issue({ claims: { sub: 'carol@example.test', client_id: 'intro-agent' } });
    const client = await connectWithToken(demo.url, token);

    const added = toolJson(await client.callTool({ name: 'notes_add', arguments: { text: 'Introspected' } }));

    expect(added['caller']).toEqual({ sub: 'carol@example.test', client_id: 'intro-agent' });
    expect(demo.as.introspectionCalls.length).toBeGreaterThan(0);
    for (const call of demo.as.introspectionCalls) {
      expect(call.form.get('token')).toBe(token);
      expect(call.form.get('token_type_hint')).toBe('access_token');
      expect(call.authorization).toMatch(/^Basic /);
    }
    await client.close();
  });

  it('should ask on every request, so a token revoked between two calls is refused at once', async () => {
    const token = await demo.as.issue();
    expect((await postMcp(demo, token)).status).toBe(200);

    demo.as.revoke(token);
    const response = await postMcp(demo, token);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The access token is not active", resource_metadata="${demo.metadataUrl}"`,
    );
  });

  it('should refuse an active token that is meant for another resource', async () => {
    const token = await demo.as.issue({ claims: { aud: 'http://127.0.0.1:1/mcp' } });

    expect((await postMcp(demo, token)).status).toBe(401);
  });

  it('should refuse an active token from another issuer', async () => {
    const token = await demo.as.issue({ claims: { iss: `${demo.as.origin}/ras/other-resource` } });

    expect((await postMcp(demo, token)).status).toBe(401);
  });

  it('should fail closed with 503 when the introspection endpoint errs', async () => {
    const token = await demo.as.issue();
    demo.as.introspectionFailure = 500;

    const response = await postMcp(demo, token);

    expect(response.status).toBe(503);
    expect(demo.logged.join('\n')).toContain('answered 500');
  });

  it('should fail closed with 503 when the authorization server is down', async () => {
    const token = await demo.as.issue();
    expect((await postMcp(demo, token)).status).toBe(200);

    await demo.as.close();
    const response = await postMcp(demo, token);

    expect(response.status).toBe(503);
    expect(demo.logged.join('\n')).toContain('could not be reached');
  });

  it('should refuse every token with 503 when its own client credentials are wrong, and never serve', async () => {
    await demo.close();
    demo = await startTestDemoMcp({ ...introspectionEnvironment, DEMO_MCP_CLIENT_SECRET: 'wrong secret' });

    const response = await postMcp(demo, await demo.as.issue());

    expect(response.status).toBe(503);
    expect(demo.logged.join('\n')).toContain('answered 401');
  });
});

describe('authorization server discovery', () => {
  let demo: TestDemoMcp;

  afterEach(async () => {
    await demo.close();
  });

  it('should refuse tokens with 503 when the metadata names another issuer (RFC 8414 §3.3)', async () => {
    demo = await startTestDemoMcp({ DEMO_MCP_TOKEN_VALIDATION: 'jwks' });
    demo.as.advertisedIssuer = 'https://attacker.example.test/ras/demo-mcp';

    const response = await postMcp(demo, await demo.as.issue());

    expect(response.status).toBe(503);
    expect(demo.logged.join('\n')).toContain('names the issuer "https://attacker.example.test/ras/demo-mcp"');
  });

  it('should refuse tokens with 503 in JWKS mode while discovery fails, and serve once it succeeds', async () => {
    demo = await startTestDemoMcp({ DEMO_MCP_TOKEN_VALIDATION: 'jwks' });
    demo.as.advertisedIssuer = 'https://not-yet.example.test';
    const token = await demo.as.issue();
    expect((await postMcp(demo, token)).status).toBe(503);

    demo.as.advertisedIssuer = undefined;

    expect((await postMcp(demo, token)).status).toBe(200);
  });
});
