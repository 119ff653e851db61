/** An app pair with users and a group, created through the admin API, for policy tests. */
import { type AdminHttp, createActivePolicy, unique } from '@crossgate/testing';

export interface PolicyFixture {
  clientId: string;
  resourceId: string;
  groupId: string;
  /** In the group. */
  alice: string;
  /** In no group. */
  bob: string;
}

async function created(http: AdminHttp, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await http.post<{ id: string }>(path, body);
  if (response.status !== 201) {
    throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.id;
}

export async function createUser(http: AdminHttp, idpId: string, groupIds: string[] = []): Promise<string> {
  const name = unique('user');
  const id = await created(http, '/api/users', { idpId, subject: name, email: `${name}@example.test`, displayName: name });
  for (const groupId of groupIds) {
    await created(http, '/api/memberships', { userId: id, groupId });
  }
  return id;
}

export async function createPolicyFixture(http: AdminHttp): Promise<PolicyFixture & { idpId: string }> {
  const idpId = await created(http, '/api/trusted-idps', {
    name: unique('IdP'),
    issuer: `https://${unique('idp')}.example.test`,
    audiences: ['crossgate'],
  });
  const groupId = await created(http, '/api/groups', { name: unique('support') });
  const clientId = await created(http, '/api/clients', {
    clientId: unique('agent'),
    name: unique('Support agent'),
    kind: 'ai_agent',
    authMethod: 'client_secret_basic',
    owner: 'dana@example.test',
  });
  const slug = unique('jira').toLowerCase();
  const resourceId = await created(http, '/api/resources', {
    slug,
    name: unique('Jira'),
    authorizationServer: `https://${slug}.example.test`,
    resourceIndicators: [`https://${slug}.example.test/api`],
    scopes: ['issues.read', 'issues.write', 'issues.delete', 'comments.write'].map((name) => ({ name })),
    owner: 'dana@example.test',
  });
  return {
    idpId,
    clientId,
    resourceId,
    groupId,
    alice: await createUser(http, idpId, [groupId]),
    bob: await createUser(http, idpId),
  };
}

/** A draft when `body.status` is `draft`; otherwise an active policy, approved by `approver` (a second it-admin). */
export function createPolicy(http: AdminHttp, fixture: PolicyFixture, body: Record<string, unknown>, approver?: AdminHttp): Promise<string> {
  const policy = { name: unique('policy'), clientId: fixture.clientId, resourceId: fixture.resourceId, ...body };
  if (body['status'] === 'draft') {
    return created(http, '/api/policies', policy);
  }
  if (!approver) {
    throw new Error('An active policy needs a second it-admin to approve it: pass `approver`');
  }
  return createActivePolicy(http, approver, policy);
}
