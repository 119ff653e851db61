/**
 * The whole chain with independent clients: a real `oidc-provider` sign-in, the exchange at
 * Crossgate for an ID-JAG, its redemption at the demo MCP server's Crossgate issuer, and MCP tool
 * calls to the demo MCP server (its own process, validating tokens by introspection at Crossgate).
 * Once with the MCP client SDK's CrossAppAccessProvider, once with openid-client for both legs. The
 * audit log then tells one story: the same user and agent from the exchange to the tool call.
 */
import { fileURLToPath } from 'node:url';

import { decodeJwt } from 'jose';

import { loadConfig } from '@crossgate/config';
import { AdminHttp, createAdmin, freePort, unique } from '@crossgate/testing';
import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- test support kept out of the @crossgate/testing index so other suites do not load oidc-provider and the MCP SDK
import { startOidcProvider, type LocalOidcProvider, type OidcProviderClient } from '../../../libs/testing/src/oidc-provider.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { type ChainSetup, type ChainStep, type DemoMcpProcess, runChain, setUpChain, startDemoMcp } from '../../../libs/testing/src/xaa-chain.ts';
import { createApi } from '../src/app.factory.ts';
import { PRISMA } from '../src/platform/index.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

let close: () => Promise<void>;
let prisma: PrismaClient;
let provider: LocalOidcProvider;
let mcp: DemoMcpProcess;
let setup: ChainSetup;

beforeAll(async () => {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await createApi(loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: baseUrl }), { logger: ['error'] });
  await app.listen(port, '127.0.0.1');
  close = () => app.close();
  prisma = app.get<PrismaClient>(PRISMA);
  const admin = AdminHttp.withToken(baseUrl, (await createAdmin(prisma, 'it-admin')).token);

  const idpClient: OidcProviderClient = { clientId: unique('agent-at-idp'), clientSecret: `${unique('rp')}-0123456789abcdef0123456789abcdef`, redirectUri: 'http://127.0.0.1/callback' };
  provider = await startOidcProvider([idpClient]);
  const mcpPort = await freePort();
  setup = await setUpChain(admin, { crossgateUrl: baseUrl, idp: provider, idpClient, mcpUrl: `http://127.0.0.1:${mcpPort}/mcp`, slug: unique('notes').toLowerCase(), label: unique('chain').toLowerCase(), approver: AdminHttp.withToken(baseUrl, (await createAdmin(prisma, 'it-admin')).token) });
  mcp = await startDemoMcp(setup, mcpPort, repositoryRoot);
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await provider?.close();
  await close?.();
});

describe('the XAA chain end to end, with independent clients', () => {
  it.each(['mcp-sdk', 'openid-client'] as const)('should take %s from an IdP sign-in to an MCP tool call, attributed to the same user and agent throughout', async (library) => {
    const user = { sub: unique('alice'), email: 'alice@example.com', groups: [setup.groupName] };
    const steps: ChainStep[] = [];

    const result = await runChain(setup, provider, mcp.url, user, library, (step) => steps.push(step));

    const idJag = decodeJwt(result.idJag);
    expect(idJag).toMatchObject({ sub: user.sub, aud: setup.resource.issuer, client_id: setup.agentAtResource.clientId });
    expect(result.accessToken).toBeDefined();
    const accessToken = decodeJwt(result.accessToken!);
    expect(accessToken).toMatchObject({ iss: setup.resource.issuer, aud: setup.resource.indicator, sub: user.sub, client_id: setup.agentAtResource.clientId });
    expect(String(accessToken['scope']).split(' ').sort()).toEqual(['notes.read', 'notes.write']);
    // The MCP server saw the caller Crossgate vouched for.
    expect(result.added).toContain(user.sub);
    expect(result.added).toContain(setup.agentAtResource.clientId);
    expect(result.listed).toContain(library);
    expect(steps.map((step) => step.title)).toHaveLength(5);

    // One story in the audit log, joined by the tokens' ids: the exchange that minted the ID-JAG,
    // the redemption of that ID-JAG, and the MCP server's introspections of that access token.
    const userRow = await prisma.user.findFirstOrThrow({ where: { subject: user.sub } });
    const events = await prisma.auditEvent.findMany({ where: { action: { in: ['token_exchange', 'jwt_bearer_redemption', 'token_introspection'] } }, orderBy: { seq: 'asc' } });
    const context = (event: (typeof events)[number]) => (event.context ?? {}) as Record<string, unknown>;
    const exchange = events.filter((event) => event.action === 'token_exchange' && context(event)['jti'] === idJag.jti);
    const redemption = events.filter((event) => event.action === 'jwt_bearer_redemption' && context(event)['idJagJti'] === idJag.jti);
    const introspections = events.filter((event) => event.action === 'token_introspection' && context(event)['jti'] === accessToken.jti);
    expect(exchange).toEqual([expect.objectContaining({ decision: 'allow', actorId: setup.agent.id })]);
    expect(redemption).toEqual([expect.objectContaining({ decision: 'allow', actorId: setup.agentAtResource.id })]);
    expect(introspections.length).toBeGreaterThanOrEqual(2);
    for (const event of introspections) {
      expect(event).toMatchObject({ decision: 'allow', actorId: setup.resourceServer.id });
      expect(context(event)).toMatchObject({ issuedToClientId: setup.agentAtResource.clientId });
    }
    for (const event of [...exchange, ...redemption, ...introspections]) {
      expect(context(event)['userId']).toBe(userRow.id);
    }
    // The audit log redacts context keys that name secrets (token…, secret…): none of these may lose a value that way.
    expect(JSON.stringify([...exchange, ...redemption, ...introspections].map(context))).not.toContain('[redacted]');
    expect(exchange[0]!.seq).toBeLessThan(redemption[0]!.seq);
    expect(redemption[0]!.seq).toBeLessThan(introspections[0]!.seq);
  }, 60_000);
});
