/**
 * The two-person rule for policies: a policy becomes active, or an active policy's rules change,
 * only when an it-admin other than the one who asked approves the request; the request shows who
 * gains and loses access, a rejection says why, and every step is in the audit log.
 */
import { AdminHttp, createAdmin, unique } from '@crossgate/testing';

import type { PolicyApprovalView, Simulation } from '../src/policies/index.ts';
import { createPolicy, createPolicyFixture, createUser, type PolicyFixture } from './support/policy-fixtures.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let dana: AdminHttp;
let danaId: string;
let omar: AdminHttp;
let omarId: string;
let responder: AdminHttp;
let fixture: PolicyFixture & { idpId: string };

beforeAll(async () => {
  api = await startTestApi();
  const first = await createAdmin(api.prisma, 'it-admin');
  const second = await createAdmin(api.prisma, 'it-admin');
  [dana, danaId, omar, omarId] = [AdminHttp.withToken(api.baseUrl, first.token), first.id, AdminHttp.withToken(api.baseUrl, second.token), second.id];
  responder = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'incident-responder')).token);
  fixture = await createPolicyFixture(dana);
});

afterAll(async () => {
  await api.close();
});

function draft(body: Record<string, unknown> = {}): Promise<string> {
  return createPolicy(dana, fixture, { subjectGroupIds: [fixture.groupId], scopes: ['issues.read'], status: 'draft', ...body });
}

async function ask(policyId: string, body: Record<string, unknown> = {}, as: AdminHttp = dana): Promise<PolicyApprovalView> {
  const response = await as.post<PolicyApprovalView>(`/api/policies/${policyId}/approval-requests`, body);
  expect(response.status).toBe(201);
  return response.body;
}

/** What the live engine decides for Alice (in the group) at the pair. */
async function aliceDecision(): Promise<Simulation['decision']> {
  const response = await dana.post<Simulation>('/api/policies/simulate', { clientId: fixture.clientId, resourceId: fixture.resourceId, userId: fixture.alice });
  expect(response.status).toBe(200);
  return response.body.decision;
}

async function auditActions(policyId: string): Promise<{ action: string; actorId: string | null; reason: string | null }[]> {
  return api.prisma.auditEvent.findMany({ where: { targetType: 'policies', targetId: policyId }, orderBy: { seq: 'asc' }, select: { action: true, actorId: true, reason: true } });
}

describe('policy approval requests', () => {
  it('should refuse to make a policy active directly, on create or update, and point at approval requests', async () => {
    const created = await dana.post<{ message: string }>('/api/policies', { name: unique('policy'), clientId: fixture.clientId, resourceId: fixture.resourceId, everyone: true, scopes: ['issues.read'], status: 'active' });
    const policyId = await draft();
    const updated = await dana.put<{ message: string }>(`/api/policies/${policyId}`, { status: 'active' });

    expect(created.status).toBe(422);
    expect(created.body.message).toMatch(/approval-requests/);
    expect(updated.status).toBe(422);
    expect(updated.body.message).toContain(`POST /api/policies/${policyId}/approval-requests`);
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).status).toBe('draft');
  });

  it('should show who gains access, refuse the author’s own approval and activate on a second it-admin’s', async () => {
    const policyId = await draft();
    expect((await aliceDecision()).allowed).toBe(false);

    const request = await ask(policyId, { note: 'Support needs to read tickets' });
    const own = await dana.post<{ message: string }>(`/api/approvals/${request.id}/approve`);
    const byResponder = await responder.post(`/api/approvals/${request.id}/approve`);
    const stillDraft = (await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).status;
    const approved = await omar.post<PolicyApprovalView>(`/api/approvals/${request.id}/approve`);

    expect(request.status).toBe('pending');
    expect(request.impact.gained.map((entry) => entry.user.id)).toEqual([fixture.alice]);
    expect(request.impact.lost).toEqual([]);
    expect(request.impactSummary).toMatch(/^1 user gains access \(.+\); nobody loses access\.$/);
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/another it-admin must approve/);
    expect(byResponder.status).toBe(403);
    expect(stillDraft).toBe('draft');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedById: omarId, requestedById: danaId });
    const policy = await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } });
    expect(policy).toMatchObject({ status: 'active', approvedBy: expect.stringContaining('it-admin') as unknown });
    expect(policy.approvedAt).not.toBeNull();
    expect(await aliceDecision()).toMatchObject({ allowed: true, grantedScopes: ['issues.read'] });
    expect(await auditActions(policyId)).toEqual(
      expect.arrayContaining([
        { action: 'policy.approval_requested', actorId: danaId, reason: 'Support needs to read tickets' },
        { action: 'policy.update', actorId: omarId, reason: null },
        { action: 'policy.approval_approved', actorId: omarId, reason: null },
      ]),
    );
    // Decided once: a second approval finds nothing left to decide.
    expect((await omar.post(`/api/approvals/${request.id}/approve`)).status).toBe(409);
  });

  it('should refuse a direct change to an active policy’s rules, and apply it through an approved request', async () => {
    const policyId = await createPolicy(dana, fixture, { subjectUserIds: [fixture.bob], scopes: ['issues.read'] }, omar);
    const current = (await dana.get<Record<string, unknown>>(`/api/policies/${policyId}`)).body;

    const widened = await dana.put<{ message: string }>(`/api/policies/${policyId}`, { ...current, scopes: ['issues.read', 'issues.write'] });
    const renamed = await dana.put(`/api/policies/${policyId}`, { ...current, name: unique('renamed') });
    const request = await ask(policyId, { changes: { scopes: ['issues.read', 'issues.write'] } });
    const approved = await omar.post(`/api/approvals/${request.id}/approve`);

    expect(widened.status).toBe(409);
    expect(widened.body.message).toMatch(/scopes needs another it-admin's approval/);
    expect(renamed.status).toBe(200);
    expect(request.impact.changed.map((entry) => entry.user.id)).toEqual([fixture.bob]);
    expect(approved.status).toBe(200);
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).scopes).toEqual(['issues.read', 'issues.write']);
  });

  it('should let an active policy be taken out of force directly', async () => {
    const policyId = await createPolicy(dana, fixture, { subjectUserIds: [fixture.bob], scopes: ['issues.read'] }, omar);

    const disabled = await dana.put(`/api/policies/${policyId}`, { status: 'disabled' });

    expect(disabled.status).toBe(200);
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).status).toBe('disabled');
  });

  it('should need a reason to reject, keep the policy a draft, and record the reason', async () => {
    const policyId = await draft();
    const request = await ask(policyId);

    const withoutReason = await omar.post<{ errors: Record<string, string> }>(`/api/approvals/${request.id}/reject`, {});
    const rejected = await omar.post<PolicyApprovalView>(`/api/approvals/${request.id}/reject`, { reason: 'Contractors are in that group too' });

    expect(withoutReason.status).toBe(422);
    expect(withoutReason.body.errors).toHaveProperty('reason');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'Contractors are in that group too', decidedById: omarId });
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).status).toBe('draft');
    expect(await auditActions(policyId)).toContainEqual({ action: 'policy.approval_rejected', actorId: omarId, reason: 'Contractors are in that group too' });
  });

  it('should make the author’s own rejection a withdrawal, and allow one pending request per policy', async () => {
    const policyId = await draft();
    const request = await ask(policyId);

    const second = await dana.post<{ message: string }>(`/api/policies/${policyId}/approval-requests`, {});
    const withdrawn = await dana.post<PolicyApprovalView>(`/api/approvals/${request.id}/reject`, {});
    const again = await dana.post(`/api/policies/${policyId}/approval-requests`, {});

    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/already waits/);
    expect(withdrawn.body.status).toBe('withdrawn');
    expect(again.status).toBe(201);
    expect((await auditActions(policyId)).map((row) => row.action)).toContain('policy.approval_withdrawn');
  });

  it('should refuse bad changes at request time with a field message, and write nothing', async () => {
    const policyId = await draft();

    const unknownScope = await dana.post<{ errors: Record<string, string> }>(`/api/policies/${policyId}/approval-requests`, { changes: { scopes: ['issues.fly'] } });
    const status = await dana.post<{ errors: Record<string, string> }>(`/api/policies/${policyId}/approval-requests`, { changes: { status: 'active' } });
    const missing = await dana.post(`/api/policies/${crypto.randomUUID()}/approval-requests`, {});

    expect(unknownScope.status).toBe(422);
    expect(unknownScope.body.errors['scopes']).toMatch(/scope catalogue/);
    expect(status.status).toBe(422);
    expect(missing.status).toBe(404);
    expect(await api.prisma.policyApproval.count({ where: { policyId } })).toBe(0);
  });

  it('should refuse to approve a request whose policy changed after it was asked', async () => {
    const policyId = await draft();
    const request = await ask(policyId);
    const current = (await dana.get<Record<string, unknown>>(`/api/policies/${policyId}`)).body;
    expect((await dana.put(`/api/policies/${policyId}`, { ...current, everyone: true })).status).toBe(200);

    const approved = await omar.post<{ message: string }>(`/api/approvals/${request.id}/approve`);

    expect(approved.status).toBe(409);
    expect(approved.body.message).toMatch(/changed after/);
    expect((await api.prisma.policy.findUniqueOrThrow({ where: { id: policyId } })).status).toBe('draft');
    expect((await api.prisma.policyApproval.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('pending');
  });

  it('should list pending requests in the inbox for every role, newest first', async () => {
    const user = await createUser(dana, fixture.idpId);
    const policyId = await draft({ subjectGroupIds: [], subjectUserIds: [user] });
    const request = await ask(policyId);

    const listed = await responder.get<PolicyApprovalView[]>(`/api/approvals?filter=${encodeURIComponent(JSON.stringify({ status: 'pending' }))}`);
    const one = await responder.get<PolicyApprovalView>(`/api/approvals/${request.id}`);

    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-range')).toMatch(/^approvals 0-\d+\/\d+$/);
    expect(listed.body.every((row) => row.status === 'pending')).toBe(true);
    expect(listed.body.map((row) => row.id)).toContain(request.id);
    expect(one.body).toMatchObject({ id: request.id, policyId, pairLabel: expect.stringContaining('→') as unknown });
  });
});
