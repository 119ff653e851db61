/**
 * The demo MCP server as an SSF push receiver (RFC 8935) over real HTTP: a CAEP session-revoked SET
 * from the transmitter makes the very next request with a covered access token fail with 401, though
 * the token still verifies; a SET that is not the transmitter's, not for this server, or malformed is
 * refused with the RFC 8935 error JSON and changes nothing.
 */
import { generateKeyPair } from 'jose';

import { startTestDemoMcp, type TestDemoMcp } from './support/test-demo-mcp.ts';

const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const verification = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const pushAuthorization = 'Bearer stream-push-credential-4f1c';

let demo: TestDemoMcp;

beforeEach(async () => {
  demo = await startTestDemoMcp({ DEMO_MCP_TOKEN_VALIDATION: 'jwks', DEMO_MCP_SSF_AUTHORIZATION: pushAuthorization });
});

afterEach(async () => {
  await demo.close();
});

const seconds = (offset = 0) => Math.floor(Date.now() / 1000) + offset;

function callMcp(token: string): Promise<Response> {
  return fetch(demo.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
}

function push(set: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(demo.ssfUrl, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt', authorization: pushAuthorization, ...headers }, body: set });
}

function revokedSet(subject: unknown, claims: Record<string, unknown> = {}): Promise<string> {
  return demo.as.securityEvent({
    aud: demo.url,
    txn: 'kill-switch-1',
    sub_id: subject,
    events: { [sessionRevoked]: { initiating_entity: 'admin', reason_admin: { en: 'Agent exfiltrating notes' }, event_timestamp: seconds(-5) } },
    ...claims,
  });
}

describe('session-revoked', () => {
  it("should refuse a user's tokens issued before the event at the next request, and accept one issued after", async () => {
    const before = await demo.as.issue({ claims: { iat: seconds(-30) } });
    const othersToken = await demo.as.issue({ claims: { sub: 'bob@example.test', iat: seconds(-30) } });
    expect((await callMcp(before)).status).toBe(200);

    const answer = await push(await revokedSet({ format: 'iss_sub', iss: 'https://idp.example.test', sub: 'alice@example.test' }));

    expect(answer.status).toBe(202);
    const refused = await callMcp(before);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(refused.headers.get('www-authenticate')).toContain('revoked by a security event');
    expect((await callMcp(othersToken)).status).toBe(200);
    expect((await callMcp(await demo.as.issue())).status).toBe(200);
    expect(demo.logged).toContain('Session revoked by a security event: user');
  });

  it('should refuse exactly the token a jwt_id subject names', async () => {
    const named = await demo.as.issue({ claims: { jti: 'at-named-1' } });
    const sibling = await demo.as.issue();

    expect((await push(await revokedSet({ format: 'jwt_id', iss: demo.as.issuer, jti: 'at-named-1' }))).status).toBe(202);

    expect((await callMcp(named)).status).toBe(401);
    expect((await callMcp(sibling)).status).toBe(200);
  });

  it("should refuse an agent's tokens for every user on a complex application subject, and everything on this server's uri", async () => {
    const agents = await demo.as.issue({ claims: { iat: seconds(-30) } });
    const otherAgents = await demo.as.issue({ claims: { client_id: 'other-agent', iat: seconds(-30) } });

    expect((await push(await revokedSet({ format: 'complex', application: { format: 'opaque', id: 'demo-agent' } }))).status).toBe(202);
    expect((await callMcp(agents)).status).toBe(401);
    expect((await callMcp(otherAgents)).status).toBe(200);

    expect((await push(await revokedSet({ format: 'uri', uri: demo.url }))).status).toBe(202);
    expect((await callMcp(otherAgents)).status).toBe(401);
  });

  it('should acknowledge a repeated SET (same jti) without applying it twice', async () => {
    const set = await revokedSet({ format: 'iss_sub', iss: 'https://idp.example.test', sub: 'alice@example.test' });

    expect((await push(set)).status).toBe(202);
    expect((await push(set)).status).toBe(202);

    expect(demo.logged.filter((line) => line === 'Session revoked by a security event: user')).toHaveLength(1);
  });

  it("should record a verification event's state", async () => {
    const set = await demo.as.securityEvent({ aud: demo.url, sub_id: { format: 'opaque', id: 'stream-1' }, events: { [verification]: { state: 'state-8d2e' } } });

    expect((await push(set)).status).toBe(202);

    expect(demo.app.securityEvents.lastVerification?.state).toBe('state-8d2e');
  });
});

describe('refusals (RFC 8935 §2.3)', () => {
  const alice = { format: 'iss_sub', iss: 'https://idp.example.test', sub: 'alice@example.test' };

  async function expectRefused(answer: Response, status: number, err: string): Promise<void> {
    expect(answer.status).toBe(status);
    expect(await answer.json()).toMatchObject({ err, description: expect.any(String) });
  }

  it('should refuse each bad push with its error and leave tokens standing', async () => {
    const token = await demo.as.issue({ claims: { iat: seconds(-30) } });
    const foreign = await generateKeyPair('RS256');

    await expectRefused(await push(await revokedSet(alice), { authorization: 'Bearer wrong' }), 401, 'authentication_failed');
    await expectRefused(await push(await revokedSet(alice), { 'content-type': 'application/jwt' }), 400, 'invalid_request');
    await expectRefused(await push(await revokedSet(alice, { aud: 'https://elsewhere.example.test/mcp' })), 400, 'invalid_audience');
    await expectRefused(await push(await revokedSet(alice, { iss: 'https://impostor.example.test' })), 400, 'invalid_issuer');
    await expectRefused(await push(await demo.as.securityEvent({ aud: demo.url, sub_id: alice, events: { [sessionRevoked]: {} } }, { privateKey: foreign.privateKey, kid: 'ssf-key-1' })), 400, 'invalid_key');
    await expectRefused(await push(await revokedSet(alice, { sub: 'alice@example.test' })), 400, 'invalid_request');
    await expectRefused(await push(await revokedSet(alice, { exp: seconds(300) })), 400, 'invalid_request');
    await expectRefused(await push('not a jwt'), 400, 'invalid_request');

    expect((await callMcp(token)).status).toBe(200);
  });

  it('should answer 503 while the transmitter cannot be consulted, so the push is retried', async () => {
    const set = await revokedSet(alice);
    await demo.as.close();

    const answer = await push(set);

    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
  });
});
