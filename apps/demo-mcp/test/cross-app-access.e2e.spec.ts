/**
 * The demo server as the MCP SDK's `CrossAppAccessProvider` finds it: from the 401 challenge to the
 * RFC 9728 metadata, from there to the authorization server's RFC 8414 metadata and its token
 * endpoint (jwt-bearer grant), then the tool call; and what the client does with a 403
 * insufficient_scope when the authorization server will not grant the missing scope.
 */
import { Client, CrossAppAccessProvider, SdkErrorCode, SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { startTestDemoMcp, type TestDemoMcp, toolJson } from './support/test-demo-mcp.ts';

let demo: TestDemoMcp;

beforeEach(async () => {
  demo = await startTestDemoMcp({ DEMO_MCP_TOKEN_VALIDATION: 'jwks' });
});

afterEach(async () => {
  await demo.close();
});

async function connectAsAgent(): Promise<{ client: Client; audiences: string[] }> {
  const audiences: string[] = [];
  const authProvider = new CrossAppAccessProvider({
    assertion: ({ authorizationServerUrl }) => {
      audiences.push(authorizationServerUrl);
      return 'an-id-jag-the-test-authorization-server-accepts';
    },
    clientId: 'xaa-agent',
    clientSecret: 'xaa-agent-secret',
    expectedIssuer: demo.as.issuer,
  });
  const client = new Client({ name: 'crossgate-test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(demo.url), { authProvider }));
  return { client, audiences };
}

it('should lead the SDK client from the 401 challenge to the Crossgate issuer and a token that serves the tools', async () => {
  const { client, audiences } = await connectAsAgent();

  const added = toolJson(await client.callTool({ name: 'notes_add', arguments: { text: 'Via XAA' } }));

  expect(audiences[0]).toBe(demo.as.issuer);
  expect(demo.as.tokenRequests[0]?.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  expect(added['caller']).toEqual({ sub: 'alice@example.test', client_id: 'xaa-agent' });
  await client.close();
});

it('should make the SDK client step up once on 403 insufficient_scope, then fail with HTTP 403 when the scope is not granted', async () => {
  demo.as.grantableScopes = ['notes.read'];
  const { client } = await connectAsAgent();
  const tokenRequestsBefore = demo.as.tokenRequests.length;

  const refusal = await client.callTool({ name: 'notes_add', arguments: { text: 'Not allowed' } }).catch((error: unknown) => error);

  expect(refusal).toBeInstanceOf(SdkHttpError);
  expect(refusal).toMatchObject({ code: SdkErrorCode.ClientHttpForbidden, data: { status: 403 } });
  const stepUps = demo.as.tokenRequests.slice(tokenRequestsBefore);
  expect(stepUps).toHaveLength(1);
  expect(stepUps[0]?.form.get('scope')?.split(' ')).toContain('notes.write');
  expect(toolJson(await client.callTool({ name: 'notes_list', arguments: {} }))['caller']).toEqual({
    sub: 'alice@example.test',
    client_id: 'xaa-agent',
  });
  await client.close();
});
