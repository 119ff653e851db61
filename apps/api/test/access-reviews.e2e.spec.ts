/**
 * Access reviews over real HTTP against a real API and database: a campaign over one agent is
 * created and launched (its items are the agent's effective access, with evidence), reviewers
 * certify, revoke and narrow with justifications, separation of duties refuses an item that grants
 * the reviewer's own access, closing applies the decisions through the audited policy and connection
 * paths and the kill switch (a revoked user's live access token is inactive at introspection), and
 * the evidence pack's digest is in the audit log, so the CLI verifies the file and refuses a tampered one.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { AccessReviewCampaignRecord, AccessReviewCertification, AccessReviewItemRecord, AccessReviewProgress } from '@crossgate/store';
import { accessTokenFor, type AccessTokenFlow, AdminHttp, type CommandResult, createActivePolicy, createAdmin, createAgentClient, createRasResource, introspectAccessToken, listQuery, runCrossgateCli, type TestAdmin, type TestAgent, unique } from '@crossgate/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp } from '../../../libs/token/src/test-support/local-idp.ts';
import { hashPassword } from '../src/auth/index.ts';
import type { EffectiveAccess } from '../src/effective-access/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const secret = 'correct horse battery staple, 32+ chars';

let api: TestApi;
let idp: LocalIdp;
let itAdmin: TestAdmin;
let ravi: TestAdmin;
let priya: TestAdmin;
let asItAdmin: AdminHttp;
let asRavi: AdminHttp;
let asPriya: AdminHttp;
let approver: TestAdmin;
let asApprover: AdminHttp;
let agent: TestAgent;
let resourceServer: { id: string; clientId: string };
let mcp: { id: string; slug: string; issuer: string };
let files: { id: string };
let users: Record<'alice' | 'bob' | 'carol' | 'raviUser', { id: string; subject: string }>;
let groupId: string;
let policies: { mcpUsers: string; mcpGroup: string; files: string };
let serviceAccountId: string;
let aliceAccessToken: string;
let campaign: AccessReviewCampaignRecord;
let items: AccessReviewItemRecord[];

function flow(): AccessTokenFlow {
  return { baseUrl: api.baseUrl, agent, secret, resource: mcp, idp };
}

async function newClient(name: string): Promise<TestAgent> {
  return createAgentClient(api.prisma, name, await hashPassword(secret));
}

function itemOf(subjectId: string, policyId?: string): AccessReviewItemRecord {
  const item = items.find((candidate) => candidate.subjectId === subjectId && (policyId === undefined || candidate.policyId === policyId));
  if (item === undefined) {
    throw new Error(`No item for subject ${subjectId}`);
  }
  return item;
}

function crossgate(args: string[], token: string): Promise<CommandResult> {
  return runCrossgateCli({ repositoryRoot, baseUrl: api.baseUrl, token }, args);
}

beforeAll(async () => {
  api = await startTestApi();
  itAdmin = await createAdmin(api.prisma, 'it-admin');
  ravi = await createAdmin(api.prisma, 'compliance-reviewer');
  priya = await createAdmin(api.prisma, 'compliance-reviewer');
  asItAdmin = AdminHttp.withToken(api.baseUrl, itAdmin.token);
  asRavi = AdminHttp.withToken(api.baseUrl, ravi.token);
  asPriya = AdminHttp.withToken(api.baseUrl, priya.token);
  approver = await createAdmin(api.prisma, 'it-admin');
  asApprover = AdminHttp.withToken(api.baseUrl, approver.token);
  idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
  const idpId = (await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } })).id;
  const newUser = async (name: string, email = `${unique(name)}@example.test`) => {
    const subject = unique(name);
    return { id: (await api.prisma.user.create({ data: { idpId, subject, email } })).id, subject };
  };
  // Ravi the reviewer is also an end user (the same e-mail): separation of duties must see that.
  users = { alice: await newUser('alice'), bob: await newUser('bob'), carol: await newUser('carol'), raviUser: await newUser('ravi', ravi.email) };
  groupId = (await api.prisma.group.create({ data: { name: unique('support') } })).id;
  agent = await newClient('agent');
  resourceServer = await newClient('resource-server');
  mcp = await createRasResource(asItAdmin, { owner: ravi.email, scopes: [{ name: 'notes.read', risk: 'low' }, { name: 'notes.write', risk: 'medium' }, { name: 'notes.delete', risk: 'high' }], introspectionClientIds: [resourceServer.id] });
  files = { id: (await api.prisma.resource.create({ data: { slug: unique('files').toLowerCase(), name: 'Files', authorizationServer: 'https://files.example.test', resourceIndicators: [], scopes: [{ name: 'files.read', risk: 'low' }], owner: 'nobody@example.test' } })).id };
  serviceAccountId = (await api.prisma.connection.create({ data: { name: unique('files account'), clientId: agent.id, resourceId: files.id, pattern: 'service_account', owner: 'nobody@example.test', accountName: 'svc-files', justification: 'the legacy file share has no OAuth', sunsetAt: new Date(Date.now() + 90 * 86_400_000) } })).id;
  const policy = async (body: Record<string, unknown>) => {
    return createActivePolicy(asItAdmin, asApprover, { name: unique('policy'), clientId: agent.id, ...body });
  };
  policies = {
    mcpUsers: await policy({ resourceId: mcp.id, subjectUserIds: [users.alice.id, users.bob.id, users.raviUser.id], scopes: ['notes.read', 'notes.write', 'notes.delete'] }),
    mcpGroup: await policy({ resourceId: mcp.id, subjectGroupIds: [groupId], scopes: ['notes.read'] }),
    files: await policy({ resourceId: files.id, subjectUserIds: [users.carol.id], scopes: ['files.read'] }),
  };
  await api.directoryChanged();
  aliceAccessToken = await accessTokenFor(flow(), users.alice.subject, 'notes.read notes.write');
});

afterAll(async () => {
  // Leave no switch in force for other suites sharing the database.
  await api?.prisma.killSwitch.updateMany({ where: { state: 'active', scope: 'user_app_pair' }, data: { state: 'lifted', liftedAt: new Date() } });
  await api?.close();
});

describe('creating a campaign', () => {
  it('should refuse bad input with a message per field, and write nothing', async () => {
    const before = await api.prisma.accessReviewCampaign.count();
    const empty = await asRavi.post<{ fieldErrors?: Record<string, string> }>('/api/access-reviews/campaigns', {});
    expect(empty.status).toBe(422);
    const past = await asRavi.post<{ fieldErrors?: Record<string, string> }>('/api/access-reviews/campaigns', {
      name: 'Q4',
      scope: { kind: 'client', clientId: agent.id },
      dueAt: '2020-01-01T00:00:00Z',
      reviewerRule: 'resource_owner',
      fallbackReviewer: 'not-an-admin@example.test',
    });
    expect(past.status).toBe(422);
    expect(JSON.stringify(past.body)).toContain('must be in the future');
    expect(JSON.stringify(past.body)).toContain('must be an active admin whose role may review access');
    const named = await asRavi.post('/api/access-reviews/campaigns', { name: 'Q4', scope: { kind: 'all' }, dueAt: '2099-01-01T00:00:00Z', reviewerRule: 'named', fallbackReviewer: priya.email });
    expect(named.status).toBe(422);
    expect(JSON.stringify(named.body)).toContain('the named rule needs at least one reviewer');
    const nowhere = await asRavi.post('/api/access-reviews/campaigns', { name: 'Q4', scope: { kind: 'group', groupId: crypto.randomUUID() }, dueAt: '2099-01-01T00:00:00Z', reviewerRule: 'resource_owner', fallbackReviewer: priya.email });
    expect(nowhere.status).toBe(422);
    expect(JSON.stringify(nowhere.body)).toContain('names no existing group');
    expect((await asRavi.post('/api/access-reviews/campaigns', { name: 'Q4', scope: { kind: 'planet' }, dueAt: '2099-01-01T00:00:00Z', reviewerRule: 'named', fallbackReviewer: priya.email })).status).toBe(422);
    expect(await api.prisma.accessReviewCampaign.count()).toBe(before);
  });

  it('should refuse a role that may not run campaigns', async () => {
    const responder = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'incident-responder')).token);
    expect((await responder.post('/api/access-reviews/campaigns', {})).status).toBe(403);
  });

  it('should create a draft over one agent, audited as campaign.created', async () => {
    const answer = await asRavi.post<AccessReviewCampaignRecord>('/api/access-reviews/campaigns', {
      name: unique('Quarterly agent review'),
      scope: { kind: 'client', clientId: agent.id },
      dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      reviewerRule: 'resource_owner',
      fallbackReviewer: priya.email.toUpperCase(),
      undecidedOutcome: 'keep',
    });
    expect(answer.status).toBe(201);
    campaign = answer.body;
    expect(campaign).toMatchObject({ status: 'draft', scopeKind: 'client', scopeValue: agent.id, fallbackReviewer: priya.email });
    expect(await api.prisma.auditEvent.count({ where: { action: 'campaign.created', targetId: campaign.id } })).toBe(1);
  });
});

describe('launching', () => {
  it("should snapshot one item per policy subject of the agent's effective access, with the pattern of the pair", async () => {
    const launched = await asRavi.post<AccessReviewCampaignRecord>(`/api/access-reviews/campaigns/${campaign.id}/launch`, {});
    expect(launched.status).toBe(200);
    expect(launched.body).toMatchObject({ status: 'active', itemCount: 5 });
    const answer = await asRavi.get<AccessReviewItemRecord[]>(`/api/access-reviews/campaigns/${campaign.id}/items${listQuery({ range: [0, 99] })}`);
    items = answer.body;
    const access = (await asRavi.get<EffectiveAccess>(`/api/effective-access?clientId=${agent.id}`)).body;
    const expected = access.rows.flatMap((row) =>
      row.subjects === 'everyone'
        ? [`${row.policyIds[0]} everyone ${row.scopes.join(' ')}`]
        : [...row.subjects.groups.map((group) => `${row.policyIds[0]} ${group.id} ${row.scopes.join(' ')}`), ...row.subjects.users.map((user) => `${row.policyIds[0]} ${user.id} ${row.scopes.join(' ')}`)],
    );
    expect(items.map((item) => `${item.policyId} ${item.subjectId ?? 'everyone'} ${item.scopes.join(' ')}`).sort()).toEqual(expected.sort());
    expect(itemOf(users.carol.id).pattern).toBe('service_account');
    expect(itemOf(users.alice.id).pattern).toBe('xaa');
    expect(await api.prisma.auditEvent.count({ where: { action: 'campaign.launched', targetId: campaign.id } })).toBe(1);
  });

  it('should carry evidence: who approved the policy, last use, tokens and scopes used, and the risk flags', () => {
    const alice = itemOf(users.alice.id);
    const evidence = alice.evidence as Record<string, unknown>;
    expect(evidence['policy']).toMatchObject({ id: policies.mcpUsers, approvedBy: expect.stringContaining(approver.email) });
    expect((evidence['policy'] as { approvedAt: string }).approvedAt).toEqual(expect.any(String));
    expect(evidence['lastUsedAt']).toEqual(expect.any(String));
    expect(evidence['tokensIssued']).toBeGreaterThanOrEqual(1);
    expect(evidence['scopesUsed']).toEqual(['notes.read', 'notes.write']);
    expect(evidence['scopesUnused']).toEqual(['notes.delete']);
    expect(evidence['highRiskScopes']).toEqual(['notes.delete']);
    expect(alice.riskFlags).toEqual(['high_risk_scopes']);
    expect(itemOf(users.bob.id).riskFlags.sort()).toEqual(['high_risk_scopes', 'unused_30d']);
    expect(itemOf(users.carol.id).riskFlags.sort()).toEqual(['legacy_pattern', 'no_owner', 'unused_30d']);
  });

  it("should assign the resource owner, and the fallback reviewer where the owner's own access is reviewed or there is no owner", () => {
    expect(itemOf(users.alice.id).reviewer).toBe(ravi.email);
    expect(itemOf(groupId).reviewer).toBe(ravi.email);
    expect(itemOf(users.raviUser.id).reviewer).toBe(priya.email);
    expect(itemOf(users.carol.id).reviewer).toBe(priya.email);
  });

  it('should refuse a second launch with 409', async () => {
    const again = await asRavi.post<{ message: string }>(`/api/access-reviews/campaigns/${campaign.id}/launch`, {});
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('only a draft can be launched');
  });
});

describe('reviewing', () => {
  it("should show a reviewer only the items assigned to them", async () => {
    const queue = await asRavi.get<AccessReviewItemRecord[]>(`/api/access-reviews/queue${listQuery({ filter: { campaignId: campaign.id } })}`);
    expect(queue.status).toBe(200);
    expect(queue.body.map((item) => item.subjectId).sort()).toEqual([users.alice.id, users.bob.id, groupId].sort());
    const open = await asRavi.get<AccessReviewItemRecord[]>(`/api/access-reviews/queue${listQuery({ filter: { open: true, undecided: true } })}`);
    expect(open.body.filter((item) => item.campaignId === campaign.id)).toHaveLength(3);
    expect((await asRavi.get<{ message: string }>(`/api/access-reviews/queue${listQuery({ filter: { open: 'yes' } })}`)).status).toBe(400);
  });

  it('should count every item undecided before anyone decides', async () => {
    const progress = await asRavi.get<AccessReviewProgress>(`/api/access-reviews/campaigns/${campaign.id}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.body).toEqual({ total: 5, decided: 0, undecided: 5, byDecision: { certify: 0, revoke: 0, narrow: 0 } });
    expect((await asRavi.get(`/api/access-reviews/campaigns/${crypto.randomUUID()}/progress`)).status).toBe(404);
  });

  it('should require a justification and refuse a narrow that keeps scopes not granted', async () => {
    const alice = itemOf(users.alice.id);
    const bare = await asRavi.post(`/api/access-reviews/items/${alice.id}/decision`, { decision: 'revoke' });
    expect(bare.status).toBe(422);
    expect(JSON.stringify(bare.body)).toContain('justification');
    const wider = await asRavi.post(`/api/access-reviews/items/${alice.id}/decision`, { decision: 'narrow', justification: 'reads only', scopes: ['notes.admin'] });
    expect(wider.status).toBe(422);
    expect(JSON.stringify(wider.body)).toContain('not granted by this item: notes.admin');
    expect((await asRavi.post(`/api/access-reviews/items/not-a-uuid/decision`, { decision: 'certify', justification: 'fine' })).status).toBe(404);
  });

  it("should refuse a decision on another reviewer's item with 403", async () => {
    const answer = await asPriya.post<{ message: string }>(`/api/access-reviews/items/${itemOf(users.alice.id).id}/decision`, { decision: 'certify', justification: 'looks fine' });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain(`assigned to ${ravi.email}`);
  });

  it('should record certify, revoke and narrow with the justification, each audited', async () => {
    const certify = await asRavi.post<AccessReviewItemRecord>(`/api/access-reviews/items/${itemOf(groupId).id}/decision`, { decision: 'certify', justification: 'support needs to read notes' });
    expect(certify.status).toBe(200);
    expect(certify.body).toMatchObject({ decision: 'certify', decidedBy: ravi.email, justification: 'support needs to read notes' });
    const revoke = await asRavi.post<AccessReviewItemRecord>(`/api/access-reviews/items/${itemOf(users.alice.id).id}/decision`, { decision: 'revoke', justification: 'alice left the team' });
    expect(revoke.body).toMatchObject({ decision: 'revoke', decidedAt: expect.any(String) });
    const narrow = await asRavi.post<AccessReviewItemRecord>(`/api/access-reviews/items/${itemOf(users.bob.id).id}/decision`, { decision: 'narrow', justification: 'bob only reads', scopes: ['notes.read'] });
    expect(narrow.body).toMatchObject({ decision: 'narrow', keptScopes: ['notes.read'] });
    const carol = await asPriya.post(`/api/access-reviews/items/${itemOf(users.carol.id).id}/decision`, { decision: 'revoke', justification: 'the share is retired' });
    expect(carol.status).toBe(200);
    expect(await api.prisma.auditEvent.count({ where: { action: 'campaign.item_decided', targetId: campaign.id } })).toBe(4);
    const progress = await asRavi.get<AccessReviewProgress>(`/api/access-reviews/campaigns/${campaign.id}/progress`);
    expect(progress.body).toEqual({ total: 5, decided: 4, undecided: 1, byDecision: { certify: 1, revoke: 2, narrow: 1 } });
  });

  it('should refuse, with 403, a reviewer deciding an item that grants their own access, even once it is reassigned to them', async () => {
    const own = itemOf(users.raviUser.id);
    const reassigned = await asPriya.post<AccessReviewItemRecord>(`/api/access-reviews/items/${own.id}/reassign`, { reviewer: ravi.email, reason: 'ravi knows this app' });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.reviewer).toBe(ravi.email);
    expect(await api.prisma.auditEvent.count({ where: { action: 'campaign.item_reassigned', targetId: campaign.id } })).toBe(1);
    const refused = await asRavi.post<{ message: string }>(`/api/access-reviews/items/${own.id}/decision`, { decision: 'certify', justification: 'I need it' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('Separation of duties: this item grants your own access');
    const bulk = await asRavi.post<{ decided: number; skippedOwnAccess: number }>(`/api/access-reviews/campaigns/${campaign.id}/decisions`, { decision: 'certify', justification: 'all fine' });
    expect(bulk.body).toEqual({ decided: 0, skippedOwnAccess: 1 });
    expect((await api.prisma.accessReviewItem.findUniqueOrThrow({ where: { id: own.id } })).decision).toBeNull();
  });

  it('should delegate undecided items back, audited, and refuse bulk narrow', async () => {
    const delegated = await asRavi.post<{ delegated: number }>(`/api/access-reviews/campaigns/${campaign.id}/delegate`, { to: priya.email, reason: 'separation of duties' });
    expect(delegated.body).toEqual({ delegated: 1 });
    expect(await api.prisma.auditEvent.count({ where: { action: 'campaign.items_delegated', targetId: campaign.id } })).toBe(1);
    expect((await asRavi.post(`/api/access-reviews/campaigns/${campaign.id}/decisions`, { decision: 'narrow', justification: 'x y z' })).status).toBe(422);
  });
});

describe('closing', () => {
  it("should keep what nobody decided, narrow and revoke through the policy service, disable the orphaned service account, and end the revoked user's live token", async () => {
    expect(await introspectAccessToken(flow(), resourceServer.clientId, aliceAccessToken)).toMatchObject({ active: true });
    const closed = await asRavi.post<AccessReviewCampaignRecord & { remediation: Record<string, number> }>(`/api/access-reviews/campaigns/${campaign.id}/close`, {});
    expect({ status: closed.status, body: closed.status === 200 ? null : closed.body }).toEqual({ status: 200, body: null });
    expect(closed.body).toMatchObject({ status: 'closed', remediation: { items: 3, connectionsDisabled: 1, killSwitches: 1 } });
    const mcpUsers = await api.prisma.policy.findUniqueOrThrow({ where: { id: policies.mcpUsers } });
    expect(mcpUsers).toMatchObject({ status: 'active', subjectUserIds: [users.raviUser.id] });
    const narrowed = await api.prisma.policy.findFirstOrThrow({ where: { clientId: agent.id, resourceId: mcp.id, subjectUserIds: { has: users.bob.id } } });
    expect(narrowed).toMatchObject({ status: 'active', scopes: ['notes.read'] });
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policies.files } })).status).toBe('disabled');
    expect((await api.prisma.connection.findUniqueOrThrow({ where: { id: serviceAccountId } })).status).toBe('disabled');
    const undecided = await api.prisma.accessReviewItem.findUniqueOrThrow({ where: { id: itemOf(users.raviUser.id).id } });
    expect(undecided).toMatchObject({ decision: null, closeOutcome: 'keep', remediatedAt: null });
    const actions = await api.prisma.auditEvent.findMany({ where: { actorId: ravi.id, action: { in: ['policy.update', 'policy.create', 'connection.update', 'kill_switch.fired', 'campaign.closed', 'campaign.remediated'] } }, select: { action: true } });
    expect(new Set(actions.map((event) => event.action))).toEqual(new Set(['policy.update', 'policy.create', 'connection.update', 'kill_switch.fired', 'campaign.closed', 'campaign.remediated']));
    expect(await introspectAccessToken(flow(), resourceServer.clientId, aliceAccessToken)).toEqual({ active: false });
    const access = (await asRavi.get<EffectiveAccess>(`/api/effective-access?userId=${users.alice.id}`)).body;
    expect(access.rows.filter((row) => row.client.id === agent.id)).toEqual([]);
  });

  it('should refuse decisions and a second close once closed', async () => {
    expect((await asPriya.post(`/api/access-reviews/items/${itemOf(users.raviUser.id).id}/decision`, { decision: 'certify', justification: 'late' })).status).toBe(409);
    expect((await asRavi.post(`/api/access-reviews/campaigns/${campaign.id}/close`, {})).status).toBe(409);
  });

  it("should leave a closed campaign's items out of the open queue", async () => {
    const open = await asPriya.get<AccessReviewItemRecord[]>(`/api/access-reviews/queue${listQuery({ filter: { open: true, campaignId: campaign.id } })}`);
    expect(open.body).toEqual([]);
    const closed = await asPriya.get<AccessReviewItemRecord[]>(`/api/access-reviews/queue${listQuery({ filter: { open: false, campaignId: campaign.id } })}`);
    expect(closed.body.length).toBeGreaterThan(0);
  });
});

describe('the last certification of a policy', () => {
  it("should give the latest decision on the policy's items, and with a user only those covering the user", async () => {
    const auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
    const forAlice = await auditor.get<{ certification: AccessReviewCertification | null }>(`/api/access-reviews/certifications/latest?policyId=${policies.mcpUsers}&userId=${users.alice.id}`);
    expect(forAlice.status).toBe(200);
    expect(forAlice.body.certification).toMatchObject({ policyId: policies.mcpUsers, campaignId: campaign.id, campaignName: campaign.name, subjectType: 'user', subjectId: users.alice.id, decision: 'revoke', decidedBy: ravi.email, justification: 'alice left the team', decidedAt: expect.any(String) });
    const forBob = await auditor.get<{ certification: AccessReviewCertification | null }>(`/api/access-reviews/certifications/latest?policyId=${policies.mcpUsers}&userId=${users.bob.id}`);
    expect(forBob.body.certification).toMatchObject({ decision: 'narrow', keptScopes: ['notes.read'] });
    const group = await auditor.get<{ certification: AccessReviewCertification | null }>(`/api/access-reviews/certifications/latest?policyId=${policies.mcpGroup}`);
    expect(group.body.certification).toMatchObject({ subjectType: 'group', subjectId: groupId, decision: 'certify' });
    // Alice is in no group: the group's certification does not cover her.
    const notHers = await auditor.get<{ certification: AccessReviewCertification | null }>(`/api/access-reviews/certifications/latest?policyId=${policies.mcpGroup}&userId=${users.alice.id}`);
    expect(notHers.body).toEqual({ certification: null });
  });

  it('should refuse a query without a policy id with 400', async () => {
    expect((await asRavi.get('/api/access-reviews/certifications/latest')).status).toBe(400);
    expect((await asRavi.get('/api/access-reviews/certifications/latest?policyId=nope')).status).toBe(400);
  });
});

describe('the evidence pack', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'crossgate-evidence-'));
  });

  it('should export every item with evidence, decision, reviewer and justification as JSON, its SHA-256 in the audit log', async () => {
    const response = await fetch(`${api.baseUrl}/api/access-reviews/campaigns/${campaign.id}/export?format=json`, { headers: { authorization: `Bearer ${ravi.token}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    const pack = JSON.parse(text) as { campaign: { id: string }; items: AccessReviewItemRecord[] };
    expect(pack.campaign.id).toBe(campaign.id);
    expect(pack.items).toHaveLength(5);
    expect(pack.items.find((item) => item.subjectId === users.alice.id)).toMatchObject({ decision: 'revoke', reviewer: ravi.email, justification: 'alice left the team', decidedAt: expect.any(String) });
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'campaign.exported', targetId: campaign.id }, orderBy: { seq: 'desc' } });
    expect(event.context).toMatchObject({ format: 'json', items: 5, sha256: createHash('sha256').update(text).digest('hex') });
    await writeFile(path.join(directory, 'pack.json'), text);
  });

  it('should verify the exported CSV with the CLI, and refuse a tampered copy', async () => {
    const auditor = await createAdmin(api.prisma, 'auditor');
    const response = await fetch(`${api.baseUrl}/api/access-reviews/campaigns/${campaign.id}/export?format=csv`, { headers: { authorization: `Bearer ${auditor.token}` } });
    expect(response.status).toBe(200);
    const csv = await response.text();
    expect(csv.split('\r\n')[0]).toContain('campaign_id,item_id');
    expect(csv).toContain('"alice left the team"');
    await writeFile(path.join(directory, 'pack.csv'), csv);
    await writeFile(path.join(directory, 'tampered.csv'), csv.replace('"revoke"', '"certify"'));
    const verified = await crossgate(['campaign', 'verify', path.join(directory, 'pack.csv')], auditor.token);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain('verified');
    expect(await crossgate(['campaign', 'verify', path.join(directory, 'pack.json')], auditor.token)).toMatchObject({ code: 0 });
    const tampered = await crossgate(['campaign', 'verify', path.join(directory, 'tampered.csv')], auditor.token);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('NOT VERIFIED');
    expect(await readFile(path.join(directory, 'tampered.csv'), 'utf8')).not.toBe(csv);
  });

  it('should refuse an unknown format with 400 and an unknown campaign with 404', async () => {
    expect((await asRavi.get(`/api/access-reviews/campaigns/${campaign.id}/export?format=xml`)).status).toBe(400);
    expect((await asRavi.get(`/api/access-reviews/campaigns/${crypto.randomUUID()}/export`)).status).toBe(404);
  });
});

describe('a campaign that remediates at once and revokes what nobody decided', () => {
  it('should disable a revoked policy when the decision is made, and revoke the undecided items at close', async () => {
    const dave = (await api.prisma.user.create({ data: { idpId: (await api.prisma.trustedIdp.findFirstOrThrow({ where: { issuer: idp.issuer } })).id, subject: unique('dave'), email: `${unique('dave')}@example.test` } })).id;
    const davePolicy = await createActivePolicy(asItAdmin, asApprover, { name: unique('policy'), clientId: agent.id, resourceId: mcp.id, subjectUserIds: [dave], scopes: ['notes.read'] });
    await api.directoryChanged();
    const second = await asRavi.post<AccessReviewCampaignRecord>('/api/access-reviews/campaigns', {
      name: unique('Notes review'),
      scope: { kind: 'resource', resourceId: mcp.id },
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      reviewerRule: 'named',
      reviewers: [priya.email],
      fallbackReviewer: priya.email,
      undecidedOutcome: 'revoke',
      remediateImmediately: true,
    });
    expect(second.status).toBe(201);
    expect((await asRavi.post(`/api/access-reviews/campaigns/${second.body.id}/launch`, {})).status).toBe(200);
    const queue = await asPriya.get<AccessReviewItemRecord[]>(`/api/access-reviews/queue${listQuery({ filter: { campaignId: second.body.id } })}`);
    const daveItem = queue.body.find((item) => item.subjectId === dave);
    expect(daveItem).toBeDefined();
    expect((daveItem!.evidence as { lastCertification: unknown }).lastCertification).toBeNull();
    const groupItem = queue.body.find((item) => item.subjectId === groupId);
    expect((groupItem!.evidence as { lastCertification: { decision: string } }).lastCertification).toMatchObject({ decision: 'certify', campaignId: campaign.id });
    const revoked = await asPriya.post(`/api/access-reviews/items/${daveItem!.id}/decision`, { decision: 'revoke', justification: 'dave does not use notes' });
    expect(revoked.status).toBe(200);
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: davePolicy } })).status).toBe('disabled');
    const closed = await asRavi.post<{ remediation: { items: number } }>(`/api/access-reviews/campaigns/${second.body.id}/close`, {});
    expect(closed.status).toBe(200);
    expect(closed.body.remediation.items).toBe(queue.body.length - 1);
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policies.mcpGroup } })).status).toBe('disabled');
    const outcomes = await api.prisma.accessReviewItem.findMany({ where: { campaignId: second.body.id, decision: null }, select: { closeOutcome: true, remediatedAt: true } });
    expect(outcomes.every((item) => item.closeOutcome === 'revoke' && item.remediatedAt !== null)).toBe(true);
  });
});
