/**
 * The demo MCP server as a protected resource in JWKS mode, over real HTTP: its RFC 9728 metadata,
 * the 401 challenges for missing and unacceptable tokens, the 403 scope challenge, and tool calls
 * through the MCP SDK client that show who called.
 */
import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { generateKeyPair } from 'jose';

import { connectWithToken, startTestDemoMcp, type TestDemoMcp, toolJson } from './support/test-demo-mcp.ts';

let demo: TestDemoMcp;

beforeAll(async () => {
  demo = await startTestDemoMcp({ DEMO_MCP_TOKEN_VALIDATION: 'jwks' });
});

afterAll(async () => {
  await demo.close();
});

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

function postMcp(token?: string): Promise<Response> {
  return fetch(demo.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(initialize),
  });
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('protected-resource metadata (RFC 9728)', () => {
  it('should name the resource, the Crossgate issuer as its only authorization server, its scopes and header-only bearer tokens', async () => {
    for (const url of [demo.metadataUrl, `${new URL(demo.url).origin}/.well-known/oauth-protected-resource`]) {
      const response = await fetch(url);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource: demo.url,
        authorization_servers: [demo.as.issuer],
        scopes_supported: ['notes.read', 'notes.write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Crossgate demo MCP server',
      });
    }
  });
});

describe('the bearer gate', () => {
  it('should answer 401 with only resource_metadata in the challenge when no token is sent', async () => {
    const response = await postMcp();

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${demo.metadataUrl}"`);
  });

  it('should serve an MCP request with a valid access token', async () => {
    const response = await postMcp(await demo.as.issue());

    expect(response.status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refused: [string, () => Promise<string>][] = [
    ['an expired token', () => demo.as.issue({ claims: { iat: now() - 600, exp: now() - 120 } })],
    ['a token for another resource', () => demo.as.issue({ claims: { aud: 'http://127.0.0.1:1/mcp' } })],
    ['a token from another issuer', () => demo.as.issue({ claims: { iss: `${demo.as.origin}/ras/other-resource` } })],
    ['an ID-JAG (typ oauth-id-jag+jwt)', () => demo.as.issue({ typ: 'oauth-id-jag+jwt' })],
    ['a plain JWT (typ JWT)', () => demo.as.issue({ typ: 'JWT' })],
    ['a JWT without typ', () => demo.as.issue({ typ: null })],
    ['a token without client_id', () => demo.as.issue({ claims: { client_id: undefined } })],
    ['a token without sub', () => demo.as.issue({ claims: { sub: undefined } })],
    [
      'a token signed by a foreign key under the RAS key id',
      async () => demo.as.issue({ key: (await generateKeyPair('ES256')).privateKey }),
    ],
    [
      'a token signed by a foreign key with an unknown key id',
      async () => demo.as.issue({ key: (await generateKeyPair('ES256')).privateKey, kid: 'attacker' }),
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const valid = (await demo.as.issue()).split('.');
        return `${base64url({ alg: 'none', typ: 'at+jwt' })}.${valid[1]}.`;
      },
    ],
    ['something that is not a JWT', async () => 'not-a-jwt'],
  ];

  it.each(refused)('should answer 401 invalid_token to %s', async (_case, token) => {
    const response = await postMcp(await token());

    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"/);
    expect(challenge).toContain(`resource_metadata="${demo.metadataUrl}"`);
  });

  it('should refuse a token sent in the query string (header only)', async () => {
    const token = await demo.as.issue();
    const response = await fetch(`${demo.url}?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initialize),
    });

    expect(response.status).toBe(401);
  });
});

describe('tools through the MCP SDK client', () => {
  it('should list the three demo tools', async () => {
    const client = await connectWithToken(demo.url, await demo.as.issue());

    const { tools } = await client.listTools();

    expect(tools.map((tool) => tool.name).sort()).toEqual(['notes_add', 'notes_list', 'whoami']);
    await client.close();
  });

  it('should record the caller of a write and show it on read', async () => {
    const token = await demo.as.issue({ claims: { sub: 'bob@example.test', client_id: 'writer-agent' } });
    const client = await connectWithToken(demo.url, token);

    const added = toolJson(await client.callTool({ name: 'notes_add', arguments: { text: 'Ship the demo' } }));
    const listed = toolJson(await client.callTool({ name: 'notes_list', arguments: {} }));

    const caller = { sub: 'bob@example.test', client_id: 'writer-agent' };
    expect(added).toMatchObject({ caller, note: { text: 'Ship the demo', author: caller } });
    expect(listed['caller']).toEqual(caller);
    expect(listed['notes']).toContainEqual(expect.objectContaining({ text: 'Ship the demo', author: caller }));
    await client.close();
  });

  it('should show the caller and granted scopes in whoami', async () => {
    const client = await connectWithToken(demo.url, await demo.as.issue({ claims: { scope: 'notes.read' } }));

    expect(toolJson(await client.callTool({ name: 'whoami', arguments: {} }))).toEqual({
      caller: { sub: 'alice@example.test', client_id: 'demo-agent' },
      scopes: ['notes.read'],
    });
    await client.close();
  });

  it('should refuse the write tool to a read-only token with HTTP 403 insufficient_scope naming notes.write', async () => {
    const exchanges: { body: string; status: number; challenge: string | null }[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      exchanges.push({ body: String(init?.body ?? ''), status: response.status, challenge: response.headers.get('www-authenticate') });
      return response;
    };
    const client = await connectWithToken(demo.url, await demo.as.issue({ claims: { scope: 'notes.read' } }), recordingFetch);

    const refusal = await client.callTool({ name: 'notes_add', arguments: { text: 'Not allowed' } }).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(InsufficientScopeError);
    expect(refusal).toMatchObject({ requiredScope: 'notes.write', resourceMetadataUrl: new URL(demo.metadataUrl) });
    const toolCall = exchanges.find((exchange) => exchange.body.includes('"notes_add"'));
    expect(toolCall).toEqual({
      body: expect.any(String),
      status: 403,
      challenge: `Bearer error="insufficient_scope", error_description="Insufficient scope", scope="notes.write", resource_metadata="${demo.metadataUrl}"`,
    });
    const listed = toolJson(await client.callTool({ name: 'notes_list', arguments: {} }));
    expect(listed['notes']).not.toContainEqual(expect.objectContaining({ text: 'Not allowed' }));
    await client.close();
  });

  it('should refuse the read tool to a token without scopes', async () => {
    const client = await connectWithToken(demo.url, await demo.as.issue({ claims: { scope: undefined } }));

    await expect(client.callTool({ name: 'notes_list', arguments: {} })).rejects.toMatchObject({ requiredScope: 'notes.read' });
    await client.close();
  });
});
