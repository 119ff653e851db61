/**
 * Active policies for tests and demos, the way production gets them: the author creates a draft and
 * asks for approval, a second it-admin approves it (the two-person rule).
 */
import { type AdminHttp, expectStatus } from './admin-http.ts';

/** Asks for policy `policyId` to become active (with `changes`) as `author`, and approves it as `approver`. */
export async function approvePolicy(author: AdminHttp, approver: AdminHttp, policyId: string, changes: Record<string, unknown> = {}): Promise<void> {
  const request = expectStatus(await author.post<{ id: string }>(`/api/policies/${policyId}/approval-requests`, { changes }), 201, 'POST /api/policies/:id/approval-requests');
  expectStatus(await approver.post(`/api/approvals/${request.id}/approve`), 200, 'POST /api/approvals/:id/approve');
}

/** Creates a policy (as POST /api/policies takes it) and has it approved, so it is active; returns its id. */
export async function createActivePolicy(author: AdminHttp, approver: AdminHttp, body: Record<string, unknown>): Promise<string> {
  const { id } = expectStatus(await author.post<{ id: string }>('/api/policies', { ...body, status: 'draft' }), 201, 'POST /api/policies');
  await approvePolicy(author, approver, id);
  return id;
}
