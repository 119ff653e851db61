/**
 * `npm run demo:flow`: the whole Cross App Access chain on this machine, printed step by step. It
 * starts Crossgate (built, on a database of its own that it removes afterwards), a real
 * `oidc-provider` as the company IdP and the demo MCP server; registers the IdP, an agent, the MCP
 * server as a resource protected by Crossgate and a policy through the admin API; then a user signs
 * in, the agent gets an ID-JAG, redeems it for an access token and calls the MCP server's tools:
 * once with the MCP client SDK's CrossAppAccessProvider, once with openid-client. It ends with the
 * audit log's story of that user and agent.
 *
 * Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; the README's defaults).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { AdminHttp, buildServer, createAdmin, createScratchDatabase, freePort, listQuery, startBuiltApi, stopChild } from '@crossgate/testing';

import { startOidcProvider } from '../libs/testing/src/oidc-provider.ts';
import { type ChainStep, runChain, setUpChain, startDemoMcp } from '../libs/testing/src/xaa-chain.ts';

const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const adminEmail = 'admin@crossgate.local';
const adminPassword = `demo-${randomBytes(12).toString('hex')}`;

let stepNumber = 0;
function print(step: ChainStep): void {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${step.title}`);
  for (const [name, value] of Object.entries(step.detail)) {
    console.log(`     ${name.padEnd(10)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
}

interface AuditRow {
  seq: string;
  at: string;
  action: string;
  decision: string | null;
  actorLabel: string | null;
  actorId: string | null;
  reason: string | null;
  context: Record<string, unknown> | null;
}

async function main(): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  try {
    console.log('Preparing: compiling Crossgate, creating a database of its own for this demo…');
    const built = buildServer(repositoryRoot);
    const database = await createScratchDatabase('demo');
    stops.push(() => database.cleanUp());
    await built;
    const { run } = database;
    const api = await startBuiltApi({
      repositoryRoot,
      quiet: true,
      env: { DATABASE_URL: run.databaseUrl, REDIS_URL: run.redisUrl, REDIS_PREFIX: run.redisPrefix, BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: adminPassword },
    });
    stops.unshift(() => stopChild(api.child));
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);

    const idpClient = { clientId: 'demo-agent-at-idp', clientSecret: randomBytes(24).toString('hex'), redirectUri: 'http://127.0.0.1/callback' };
    const idp = await startOidcProvider([idpClient]);
    stops.unshift(() => idp.close());
    const mcpPort = await freePort();
    const mcpUrl = `http://127.0.0.1:${mcpPort}/mcp`;
    // The policy needs a second it-admin's approval (the two-person rule): a demo colleague with an API token.
    const approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(database.prisma, 'it-admin')).token);
    const setup = await setUpChain(admin, { crossgateUrl: api.baseUrl, idp, idpClient, mcpUrl, slug: 'demo-notes', label: 'demo', approver });
    const mcp = await startDemoMcp(setup, mcpPort, repositoryRoot);
    stops.unshift(() => mcp.close());

    console.log(`\nCrossgate      ${api.baseUrl}   (admin: ${adminEmail})`);
    console.log(`Company IdP    ${idp.issuer}   (oidc-provider)`);
    console.log(`MCP server     ${mcp.url}   (its Crossgate issuer: ${setup.resource.issuer})`);
    console.log(`Agent          ${setup.agent.clientId}; policy: group ${setup.groupName} may use notes.read and notes.write`);

    const user = { sub: 'alice', email: 'alice@example.com', groups: [setup.groupName] };
    const startedAt = new Date().toISOString();
    for (const library of ['mcp-sdk', 'openid-client'] as const) {
      console.log(`\n── With ${library === 'mcp-sdk' ? 'the MCP client SDK (CrossAppAccessProvider)' : 'openid-client (genericGrantRequest) for both legs'} ──`);
      await runChain(setup, idp, mcp.url, user, library, print);
    }

    const audit = await admin.get<AuditRow[]>(`/api/audit${listQuery({ sort: ['seq', 'ASC'], range: [0, 99], filter: { from: startedAt } })}`);
    console.log(`\n── The audit log since the first sign-in (GET /api/audit): one story, joined by user and token ids ──`);
    const emails = new Map<string, string>();
    const short = (id: unknown) => (typeof id === 'string' ? id.slice(0, 8) : '-');
    for (const row of audit.body) {
      const context = row.context ?? {};
      const userId = typeof context['userId'] === 'string' ? context['userId'] : undefined;
      if (userId !== undefined && !emails.has(userId)) {
        emails.set(userId, (await admin.get<{ email: string | null }>(`/api/users/${userId}`)).body.email ?? userId);
      }
      const tokens =
        row.action === 'jwt_bearer_redemption' ? `ID-JAG ${short(context['idJagJti'])} → access token ${short(context['jti'])}` : `${row.action === 'token_exchange' ? 'ID-JAG' : 'access token'} ${short(context['jti'])}`;
      console.log(`  #${row.seq.padEnd(4)} ${row.action.padEnd(22)} ${(row.decision ?? '').padEnd(5)} user ${userId === undefined ? '-' : emails.get(userId)}, by ${row.actorLabel ?? row.actorId ?? '-'}, ${tokens}${row.reason ? ` (${row.reason})` : ''}`);
    }
    const verify = await admin.get<{ intact: boolean }>('/api/audit/verify');
    console.log(`\nAudit chain intact: ${verify.body.intact}`);
  } finally {
    for (const stop of stops) {
      await stop().catch((error: unknown) => console.error(`While stopping: ${String(error)}`));
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
