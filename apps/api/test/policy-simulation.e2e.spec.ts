/**
 * What-if and effective access: the simulation answers with the decision code and trace the token
 * endpoint would use, simulates a draft with the users it would affect without writing anything,
 * and effective access lists who can reach what by client, resource and user.
 */
import { randomUUID } from 'node:crypto';

import { AdminHttp, createAdmin, unique } from '@crossgate/testing';

import type { EffectiveAccess } from '../src/effective-access/index.ts';
import { PolicyEngineService, type Simulation } from '../src/policies/index.ts';
import { createPolicy, createPolicyFixture, createUser, type PolicyFixture } from './support/policy-fixtures.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;
/** A second it-admin, who approves the policies `admin` writes (the two-person rule). */
let approver: AdminHttp;
let auditor: AdminHttp;
let fixture: PolicyFixture & { idpId: string };
let supportPolicy: string;
let stepUpPolicy: string;
let contractors: string;
let carol: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
  fixture = await createPolicyFixture(admin);
  contractors = (await admin.post<{ id: string }>('/api/groups', { name: unique('contractors') })).body.id;
  carol = await createUser(admin, fixture.idpId, [contractors]);
  supportPolicy = await createPolicy(admin, fixture, { subjectGroupIds: [fixture.groupId], scopes: ['issues.read', 'comments.write'] }, approver);
  stepUpPolicy = await createPolicy(admin, fixture, {
    subjectGroupIds: [fixture.groupId],
    scopes: ['issues.delete'],
    conditions: { requiredAcr: ['phr'], maxLifetimeSeconds: 60 },
  }, approver);
  await api.app.get(PolicyEngineService).refresh();
});

afterAll(async () => {
  await api.close();
});

function simulate(body: Record<string, unknown>, as: AdminHttp = auditor) {
  return as.post<Simulation>('/api/policies/simulate', { clientId: fixture.clientId, resourceId: fixture.resourceId, ...body });
}

describe('POST /api/policies/simulate', () => {
  it('should allow a user of the group, narrowing scopes the policies do not grant, with the trace', async () => {
    const response = await simulate({ userId: fixture.alice, scopes: ['issues.read', 'issues.write'] });

    expect(response.status).toBe(200);
    expect(response.body.decision).toMatchObject({ allowed: true, code: 'allowed', grantedScopes: ['issues.read'], narrowed: true, policyIds: [supportPolicy] });
    expect(response.body.trace).toEqual(
      expect.arrayContaining([
        { check: 'subject', passed: true, outcome: `names the user's group ${fixture.groupId}`, policyId: supportPolicy },
        { check: 'result', passed: true, outcome: 'allowed: issues.read (narrowed)' },
      ]),
    );
    expect(response.body.impact).toBeUndefined();
  });

  it('should refuse a user no policy names with no_policy', async () => {
    const response = await simulate({ userId: fixture.bob });

    expect(response.body.decision).toMatchObject({ allowed: false, code: 'no_policy', grantedScopes: [] });
    expect(response.body.trace.at(-1)).toMatchObject({ check: 'result', passed: false });
  });

  it('should match ids given in capitals, as UUIDs compare case-insensitively, for a policy naming the user directly', async () => {
    const dave = await createUser(admin, fixture.idpId);
    const davePolicy = await createPolicy(admin, fixture, { subjectUserIds: [dave], scopes: ['issues.write'] }, approver);
    await api.app.get(PolicyEngineService).refresh();

    const lower = await simulate({ userId: dave });
    const upper = await simulate({ clientId: fixture.clientId.toUpperCase(), resourceId: fixture.resourceId.toUpperCase(), userId: dave.toUpperCase() });
    const groups = await simulate({ groupIds: [fixture.groupId.toUpperCase()] });
    const draft = await simulate({ userId: carol, draftPolicy: { id: davePolicy, subjectUserIds: [carol.toUpperCase()] } });

    expect(lower.body.decision).toMatchObject({ code: 'allowed', grantedScopes: ['issues.write'] });
    expect(upper.body.decision).toEqual(lower.body.decision);
    expect(upper.body.trace).toContainEqual({ check: 'subject', passed: true, outcome: 'names the user', policyId: davePolicy });
    expect(groups.body.decision).toMatchObject({ code: 'allowed', policyIds: [supportPolicy] });
    expect(draft.body.decision).toMatchObject({ code: 'allowed', grantedScopes: ['issues.write'] });
  });

  it('should say in plain words, with names, what the decision means and agree with the trace', async () => {
    const [client, resource, group, alice, bob] = await Promise.all([
      api.prisma.client.findUniqueOrThrow({ where: { id: fixture.clientId } }),
      api.prisma.resource.findUniqueOrThrow({ where: { id: fixture.resourceId } }),
      api.prisma.group.findUniqueOrThrow({ where: { id: fixture.groupId } }),
      api.prisma.user.findUniqueOrThrow({ where: { id: fixture.alice } }),
      api.prisma.user.findUniqueOrThrow({ where: { id: fixture.bob } }),
    ]);

    const allowed = await simulate({ userId: fixture.alice, scopes: ['issues.read'] });
    const refused = await simulate({ userId: fixture.bob });
    const stepUp = await simulate({ groupIds: [fixture.groupId], scopes: ['issues.delete'] });

    expect(allowed.body.explanation).toBe(`Allowed: ${client.name} may reach ${resource.name} for ${alice.displayName} with issues.read.`);
    expect(refused.body.trace[0]).toMatchObject({ check: 'pair', passed: true });
    expect(refused.body.explanation).toMatch(new RegExp(`^Denied: no active policy lets ${client.name} reach ${resource.name} for ${bob.displayName}: the pair's \\d+ active policies name other users or groups\\.$`));
    expect(stepUp.body.explanation).toBe(`Denied until a user in ${group.name} signs in more strongly (acr phr): then ${client.name} may reach ${resource.name}.`);
  });

  it('should ask for step-up when only a policy requiring a stronger acr grants the scope, and allow with it', async () => {
    const weak = await simulate({ groupIds: [fixture.groupId], scopes: ['issues.delete'], acr: 'pwd' });
    const strong = await simulate({ groupIds: [fixture.groupId], scopes: ['issues.delete'], acr: 'phr' });

    expect(weak.body.decision).toMatchObject({ code: 'step_up_required', acrValues: ['phr'], policyIds: [stepUpPolicy] });
    expect(weak.body.trace).toContainEqual({ check: 'acr', passed: false, outcome: 'acr pwd is not one of phr', policyId: stepUpPolicy });
    expect(strong.body.decision).toMatchObject({ code: 'allowed', grantedScopes: ['issues.delete'], maxLifetimeSeconds: 60 });
  });

  it('should judge time against `at`: a policy expired by then no longer applies', async () => {
    const soon = new Date(Date.now() + 3_600_000);
    const user = await createUser(admin, fixture.idpId);
    await createPolicy(admin, fixture, { subjectUserIds: [user], scopes: ['issues.write'], expiresAt: soon.toISOString() }, approver);
    await api.app.get(PolicyEngineService).refresh();

    const now = await simulate({ userId: user });
    const later = await simulate({ userId: user, at: new Date(soon.getTime() + 1000).toISOString() });

    expect(now.body.decision.code).toBe('allowed');
    expect(later.body.decision.code).toBe('no_policy');
  });

  it('should simulate a new draft policy, list the users who would gain access, and write nothing', async () => {
    const before = {
      policies: await api.prisma.policy.count(),
      version: (await api.prisma.policyVersion.findUnique({ where: { id: 1 } }))?.version,
      audit: await api.prisma.auditEvent.count(),
    };

    const response = await simulate({
      userId: carol,
      draftPolicy: { name: 'Contractors read Jira', clientId: fixture.clientId, resourceId: fixture.resourceId, subjectGroupIds: [contractors], scopes: ['issues.read'] },
    });

    expect(response.status).toBe(200);
    expect(response.body.decision).toMatchObject({ code: 'allowed', grantedScopes: ['issues.read'] });
    expect(response.body.current).toMatchObject({ code: 'no_policy' });
    expect(response.body.impact?.gained.map((entry) => entry.user.id)).toEqual([carol]);
    expect(response.body.impact?.gained[0]).toMatchObject({ before: [], after: ['issues.read'] });
    expect(response.body.impact?.lost).toEqual([]);
    expect(response.body.impact?.totals).toMatchObject({ gained: 1, lost: 0, changed: 0 });
    expect(await api.prisma.policy.count()).toBe(before.policies);
    expect((await api.prisma.policyVersion.findUnique({ where: { id: 1 } }))?.version).toBe(before.version);
    expect(await api.prisma.auditEvent.count()).toBe(before.audit);
  });

  it('should simulate a change to an existing policy: who loses access and who gains it', async () => {
    const response = await simulate({ userId: fixture.alice, draftPolicy: { id: supportPolicy, subjectGroupIds: [contractors] } });

    // Alice keeps only the policy that wants step-up.
    expect(response.body.decision.code).toBe('step_up_required');
    expect(response.body.current?.code).toBe('allowed');
    expect(response.body.impact?.lost).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: fixture.alice }), before: ['comments.write', 'issues.read'], after: [] }),
    ]);
    expect(response.body.impact?.gained.map((entry) => entry.user.id)).toEqual([carol]);
    const stored = await api.prisma.policy.findUniqueOrThrow({ where: { id: supportPolicy } });
    expect(stored.subjectGroupIds).toEqual([fixture.groupId]);
  });

  it('should validate the draft with the policy schema, and refuse userId with groupIds', async () => {
    const badDraft = await simulate({ userId: carol, draftPolicy: { name: 'x', clientId: fixture.clientId, resourceId: fixture.resourceId, colour: 'red' } });
    const both = await simulate({ userId: carol, groupIds: [contractors] });
    const unknownUser = await simulate({ userId: randomUUID() });

    expect(badDraft.status).toBe(422);
    expect(badDraft.body).toMatchObject({ errors: { 'draftPolicy.colour': 'unknown field' } });
    expect(both.status).toBe(422);
    expect(unknownUser.status).toBe(422);
  });
});

describe('GET /api/effective-access', () => {
  it('should list by client each active policy with its subjects, scopes and conditions', async () => {
    const response = await auditor.get<EffectiveAccess>(`/api/effective-access?clientId=${fixture.clientId}`);

    expect(response.status).toBe(200);
    expect(response.body.by).toBe('client');
    const row = response.body.rows.find((candidate) => candidate.policyIds.includes(stepUpPolicy));
    expect(row).toMatchObject({
      client: { id: fixture.clientId },
      resource: { id: fixture.resourceId },
      effect: 'allow',
      subjects: { groups: [{ id: fixture.groupId }], users: [] },
      scopes: ['issues.delete'],
      conditions: ['acr one of phr', 'ID-JAG lifetime at most 60 s'],
    });
  });

  it('should list by resource the same policies', async () => {
    const response = await auditor.get<EffectiveAccess>(`/api/effective-access?resourceId=${fixture.resourceId}`);

    expect(response.body.rows.map((row) => row.policyIds[0])).toEqual(expect.arrayContaining([supportPolicy, stepUpPolicy]));
    expect(response.body.rows.every((row) => row.resource.id === fixture.resourceId)).toBe(true);
  });

  it('should answer by user what each app pair grants that user now, without step-up', async () => {
    const response = await auditor.get<EffectiveAccess>(`/api/effective-access?userId=${fixture.alice}`);

    expect(response.body.rows).toEqual([
      expect.objectContaining({
        client: expect.objectContaining({ id: fixture.clientId }),
        code: 'allowed',
        scopes: ['comments.write', 'issues.read'],
        policyIds: [supportPolicy],
        subjects: { groups: [], users: [expect.objectContaining({ id: fixture.alice })] },
      }),
    ]);
  });

  it('should refuse anything but exactly one of clientId, resourceId or userId', async () => {
    expect((await auditor.get('/api/effective-access')).status).toBe(400);
    expect((await auditor.get(`/api/effective-access?clientId=${fixture.clientId}&userId=${fixture.alice}`)).status).toBe(400);
    expect((await auditor.get('/api/effective-access?userId=not-a-uuid')).status).toBe(400);
    expect((await auditor.get(`/api/effective-access?userId=${randomUUID()}`)).status).toBe(404);
  });
});
