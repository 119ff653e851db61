/**
 * SCIM 2.0 provisioning (RFC 7643, RFC 7644) over real HTTP, with the request bodies Okta and Entra ID
 * send: a trusted IdP's SCIM token is made once from the admin API; users and groups it provisions
 * are keyed as its ID tokens key them; deactivation and deletion fire a user kill switch that the
 * next token exchange obeys; a membership change reaches the next policy decision; bad input and
 * other credentials get SCIM errors, and change nothing.
 */
import { AdminHttp, type ConnectionPair, createActivePolicy, createAdmin, eventually, type HttpResult, setUpConnectionPair, unique } from '@crossgate/testing';
import { tokenTypes } from '@crossgate/token';

import { startTestApi, type TestApi } from './support/test-api.ts';

const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const errorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';
const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
const groupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const enterpriseSchema = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface ScimUser {
  id: string;
  userName: string;
  externalId?: string;
  active: boolean;
  displayName?: string;
  emails?: { value: string }[];
}
interface ScimGroup {
  id: string;
  displayName: string;
  members?: { value: string; display?: string }[];
}
interface ListResponse<T> {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}
interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: string;
  detail: string;
}

let api: TestApi;
/** A second API instance on the same database, which hears of SCIM writes over the coordination port. */
let otherInstance: TestApi;
let asItAdmin: AdminHttp;
let pair: ConnectionPair;
let idpId: string;
let idpName: string;
let scim: ScimHttp;
let other: ScimHttp;
let policyGroupName: string;

/** A SCIM client of one IdP: JSON in `application/scim+json`, as Okta and Entra ID send it. */
class ScimHttp {
  constructor(
    private readonly http: AdminHttp,
    readonly token: string,
  ) {}

  request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.http.request<T>(method, `/scim/v2${path}`, body, { 'content-type': 'application/scim+json', ...headers });
  }
  get<T>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body: unknown) {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

function filter(expression: string): string {
  return `filter=${encodeURIComponent(expression)}`;
}

async function scimClientFor(id: string): Promise<ScimHttp> {
  const made = await asItAdmin.post<{ token: string }>(`/api/trusted-idps/${id}/scim-token`);
  expect(made.status).toBe(201);
  return new ScimHttp(AdminHttp.withToken(api.baseUrl, made.body.token), made.body.token);
}

function expectScimError(response: HttpResult<unknown>, status: number, scimType?: string): ScimErrorBody {
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  const body = response.body as ScimErrorBody;
  expect(body).toMatchObject({ schemas: [errorSchema], status: String(status), ...(scimType === undefined ? {} : { scimType }) });
  expect(typeof body.detail).toBe('string');
  return body;
}

/** A token exchange with an ID token for `subject` without a groups claim: its memberships come from SCIM only. */
async function exchange(subject: string, at: TestApi = api): Promise<{ status: number; error?: string; description?: string }> {
  const { status, body } = await pair.exchange({ requested_token_type: tokenTypes.idJag, subject_token: await pair.idToken(subject, { groups: [] }) }, at.baseUrl);
  return { status, ...(body['error'] === undefined ? {} : { error: body['error'] as string, description: body['error_description'] as string }) };
}

/** Okta's create-user call. */
function oktaUser(login: string, oktaId: string): Record<string, unknown> {
  return {
    schemas: [userSchema],
    userName: login,
    externalId: oktaId,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ primary: true, value: login, type: 'work' }],
    displayName: 'Ada Lovelace',
    locale: 'en-US',
    groups: [],
    password: 'never-stored-1!',
    active: true,
  };
}

/** Entra ID's create-user call (with the enterprise extension it sends by default). */
function entraUser(upn: string, objectId: string): Record<string, unknown> {
  return {
    schemas: [userSchema, enterpriseSchema],
    externalId: objectId,
    userName: upn,
    active: true,
    addresses: [{ primary: true, type: 'work', formatted: '1 Main St' }],
    displayName: 'Grace Hopper',
    emails: [{ primary: true, type: 'work', value: upn }],
    name: { familyName: 'Hopper', givenName: 'Grace', formatted: 'Grace Hopper' },
    title: 'Rear Admiral',
    [enterpriseSchema]: { department: 'Navy', employeeNumber: '1906' },
  };
}

async function createUser(body: Record<string, unknown>, as: ScimHttp = scim): Promise<ScimUser> {
  const created = await as.post<ScimUser>('/Users', body);
  expect(created.status).toBe(201);
  return created.body;
}

async function activeUserSwitches(userId: string) {
  return api.prisma.killSwitch.findMany({ where: { userId, scope: 'user', state: 'active' } });
}

beforeAll(async () => {
  [api, otherInstance] = await Promise.all([startTestApi(), startTestApi()]);
  asItAdmin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  const approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  const label = unique('scim').toLowerCase();
  pair = await setUpConnectionPair(asItAdmin, label, approver);
  const idp = await api.prisma.trustedIdp.findUniqueOrThrow({ where: { issuer: `https://${label}-idp.example.test` } });
  idpId = idp.id;
  idpName = idp.name;
  const otherIdpId = (await api.prisma.trustedIdp.create({ data: { name: unique('Entra'), issuer: `https://${unique('entra')}.example.test`, audiences: [] } })).id;
  scim = await scimClientFor(idpId);
  other = await scimClientFor(otherIdpId);
  // The policy's group is the IdP's own, pushed over SCIM; its members are what decides.
  policyGroupName = unique('engineering');
  const group = await scim.post<ScimGroup>('/Groups', { schemas: [groupSchema], displayName: policyGroupName, members: [] });
  expect(group.status).toBe(201);
  await createActivePolicy(asItAdmin, approver, { name: unique('policy'), clientId: pair.agent.id, resourceId: pair.resource.id, subjectGroupIds: [group.body.id], scopes: ['ledger.read'] });
});

afterAll(async () => {
  // Leave no switch in force for other suites sharing the database.
  await api.prisma.killSwitch.updateMany({ where: { state: 'active' }, data: { state: 'lifted', liftedAt: new Date() } });
  await Promise.all([api.close(), otherInstance.close()]);
});

describe('the SCIM token', () => {
  it('should be shown once, stored only as a digest, audited, and replaced on rotation', async () => {
    const fresh = await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: `https://${unique('idp')}.example.test`, audiences: [] } });
    const first = await scimClientFor(fresh.id);
    expect(first.token).toMatch(/^cgscim_/);
    const stored = await api.prisma.scimToken.findUniqueOrThrow({ where: { idpId: fresh.id } });
    expect(stored.tokenHash).not.toContain(first.token);
    expect((await first.get('/Users')).status).toBe(200);

    const second = await scimClientFor(fresh.id);
    expectScimError(await first.get('/Users'), 401);
    expect((await second.get('/Users')).status).toBe(200);

    const events = await api.prisma.auditEvent.findMany({ where: { targetId: fresh.id, action: { startsWith: 'trusted_idp.scim_token' } }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.action)).toEqual(['trusted_idp.scim_token_create', 'trusted_idp.scim_token_rotate']);
    const recorded = JSON.stringify(events.map(({ seq: _seq, ...event }) => event));
    expect(recorded).not.toContain(first.token.slice(7));
    expect(recorded).not.toContain(second.token.slice(7));
  });

  it('should not be made by an auditor, nor for an IdP that does not exist', async () => {
    const auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
    expect((await auditor.post(`/api/trusted-idps/${idpId}/scim-token`)).status).toBe(403);
    expect((await asItAdmin.post('/api/trusted-idps/00000000-0000-4000-8000-000000000000/scim-token')).status).toBe(404);
  });
});

describe('discovery', () => {
  it('should describe the service provider, its resource types and schemas', async () => {
    const config = await scim.get<{ patch: { supported: boolean }; filter: { supported: boolean; maxResults: number }; bulk: { supported: boolean }; authenticationSchemes: { type: string }[] }>('/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, bulk: { supported: false }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
    const types = await scim.get<ListResponse<{ name: string; endpoint: string }>>('/ResourceTypes');
    expect(types.body.Resources.map((type) => type.name).sort()).toEqual(['Group', 'User']);
    const schemas = await scim.get<ListResponse<{ id: string }>>('/Schemas');
    expect(schemas.body.Resources.map((schema) => schema.id)).toEqual(expect.arrayContaining([userSchema, groupSchema, enterpriseSchema]));
  });
});

describe('users, as Okta provisions them', () => {
  it('should look up, create, find by userName and deactivate, firing a kill switch the next token exchange obeys', async () => {
    const login = `${unique('ada')}@example.test`;
    const oktaId = unique('00u');
    const none = await scim.get<ListResponse<ScimUser>>(`/Users?${filter(`userName eq "${login}"`)}&startIndex=1&count=100`);
    expect(none.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });

    const user = await createUser(oktaUser(login, oktaId));
    expect(user).toMatchObject({ userName: login, externalId: oktaId, active: true, displayName: 'Ada Lovelace', emails: [{ value: login }] });
    expect(user).not.toHaveProperty('password');
    const found = await scim.get<ListResponse<ScimUser>>(`/Users?${filter(`userName eq "${login.toUpperCase()}"`)}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
    const lean = await scim.get<Record<string, unknown>>(`/Users/${user.id}?attributes=userName`);
    expect(lean.body).toMatchObject({ id: user.id, userName: login });
    expect(lean.body).not.toHaveProperty('emails');
    expectScimError(await scim.get(`/Users/${user.id}?attributes=${encodeURIComponent('userName eq "x"')}`), 400, 'invalidFilter');

    // The ID token's `sub` is the externalId: the exchange finds the SCIM user, not a new one.
    await scim.patch(`/Groups/${await policyGroupId()}`, { schemas: [patchOp], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id, display: login }] }] });
    expect(await exchange(oktaId)).toEqual({ status: 200 });
    expect(await api.prisma.user.count({ where: { idpId, subject: oktaId } })).toBe(1);

    const deactivated = await scim.patch<ScimUser>(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    const [fired, ...more] = await activeUserSwitches(user.id);
    expect(more).toEqual([]);
    expect(fired).toMatchObject({ createdBy: `SCIM client of ${idpName}`, reason: `Deactivated over SCIM by ${idpName}` });
    const audit = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'kill_switch.fired', targetId: fired!.id } });
    expect(audit).toMatchObject({ actorType: 'scim_client', actorId: idpId, actorLabel: `SCIM client of ${idpName}` });
    expect(audit.context).toMatchObject({ source: 'scim', idp: idpName, userId: user.id });
    expect(await exchange(oktaId)).toMatchObject({ status: 400, error: 'invalid_grant' });

    // Reactivation lets the user back in only once an admin lifts the switch.
    const reactivated = await scim.patch<ScimUser>(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(reactivated.body.active).toBe(true);
    expect(await exchange(oktaId)).toMatchObject({ status: 400, error: 'invalid_grant', description: expect.stringContaining(`kill switch ${fired!.id}`) as unknown });
    expect((await asItAdmin.post(`/api/kill-switches/${fired!.id}/lift`, { reason: 'Rehired, checked by IT' })).status).toBe(200);
    expect(await exchange(oktaId)).toEqual({ status: 200 });
  });

  it('should take over a user first seen in an ID token when the create names its sub', async () => {
    const sub = unique('00u');
    await api.prisma.user.create({ data: { idpId, subject: sub, email: 'old@example.test' } });
    const user = await createUser(oktaUser(`${unique('jit')}@example.test`, sub));
    expect(await api.prisma.user.findMany({ where: { idpId, subject: sub }, select: { id: true } })).toEqual([{ id: user.id }]);
  });

  it('should page a list with startIndex and count', async () => {
    const fresh = await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: `https://${unique('idp')}.example.test`, audiences: [] } });
    const paged = await scimClientFor(fresh.id);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await createUser(oktaUser(`${unique('page')}@example.test`, unique('00u')), paged)).id);
    }
    const page = await paged.get<ListResponse<ScimUser>>('/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((user) => user.id)).toEqual(ids.slice(1, 3));
  });
});

describe('users, as Entra ID provisions them', () => {
  it('should create, find by externalId, deactivate with "False" and delete, with one kill switch', async () => {
    const upn = `${unique('grace')}@example.test`;
    const objectId = crypto.randomUUID();
    const user = await createUser(entraUser(upn, objectId));
    const found = await scim.get<ListResponse<ScimUser>>(`/Users?${filter(`externalId eq "${objectId}"`)}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: user.id, userName: upn }] });

    const patched = await scim.patch<ScimUser>(`/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Replace', path: 'displayName', value: 'G. Hopper' },
      ],
    });
    expect(patched.body).toMatchObject({ active: false, displayName: 'G. Hopper' });
    expect(await activeUserSwitches(user.id)).toHaveLength(1);

    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    expectScimError(await scim.get(`/Users/${user.id}`), 404);
    expect(await activeUserSwitches(user.id)).toHaveLength(1);
    expect(await api.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ status: 'deprovisioned', deletedAt: expect.any(Date) as unknown });
    expect(await exchange(objectId)).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('should restore a deleted user provisioned again, with its kill switch still in force', async () => {
    const objectId = crypto.randomUUID();
    const upn = `${unique('back')}@example.test`;
    const user = await createUser(entraUser(upn, objectId));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    const again = await createUser(entraUser(upn, objectId));
    expect(again).toMatchObject({ id: user.id, active: true });
    expect(await activeUserSwitches(user.id)).toHaveLength(1);
    expect(await exchange(objectId)).toMatchObject({ status: 400, error: 'invalid_grant', description: expect.stringContaining('kill switch') as unknown });
  });

  it('should apply the PUT Okta sends on deactivation, and Entra ID\'s email path', async () => {
    const body = oktaUser(`${unique('put')}@example.test`, unique('00u'));
    const user = await createUser(body);
    const replaced = await scim.request<ScimUser>('PUT', `/Users/${user.id}`, { ...body, id: user.id, active: false });
    expect(replaced.body.active).toBe(false);
    expect(await activeUserSwitches(user.id)).toHaveLength(1);
    const moved = await scim.patch<ScimUser>(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'moved@example.test' }] });
    expect(moved.body.emails).toEqual([expect.objectContaining({ value: 'moved@example.test' })]);
  });

  it('should fire a kill switch when an active user is deleted', async () => {
    const user = await createUser(entraUser(`${unique('del')}@example.test`, crypto.randomUUID()));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    const switches = await activeUserSwitches(user.id);
    expect(switches).toMatchObject([{ reason: `Deleted over SCIM by ${idpName}` }]);
  });
});

describe('groups', () => {
  it('should create with members, filter, and add and remove members as Okta and Entra ID send them', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => createUser(entraUser(`${unique('m')}@example.test`, crypto.randomUUID()))));
    const name = unique('sales');
    const created = await scim.post<ScimGroup>('/Groups', { schemas: [groupSchema], displayName: name, members: [{ value: a!.id, display: a!.userName }] });
    expect(created.status).toBe(201);
    expect(created.body.members?.map((member) => member.value)).toEqual([a!.id]);
    const id = created.body.id;
    expect((await scim.get<ListResponse<ScimGroup>>(`/Groups?${filter(`displayName eq "${name}"`)}`)).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    // Entra ID looks groups up without their members.
    const lean = await scim.get<ListResponse<ScimGroup>>(`/Groups?excludedAttributes=members&${filter(`displayName eq "${name}"`)}`);
    expect(lean.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() as unknown })]);
    expect(lean.body.Resources[0]).toMatchObject({ id, displayName: name });

    // Entra ID: add with a path and a list of value objects.
    await scim.patch(`/Groups/${id}`, { schemas: [patchOp], Operations: [{ op: 'Add', path: 'members', value: [{ value: b!.id }, { value: c!.id }] }] });
    expect((await scim.get<ListResponse<ScimGroup>>(`/Groups?${filter(`members[value eq "${c!.id}"]`)}`)).body.Resources.map((group) => group.id)).toEqual([id]);
    // Okta: remove by a value filter in the path.
    await scim.patch(`/Groups/${id}`, { schemas: [patchOp], Operations: [{ op: 'remove', path: `members[value eq "${a!.id}"]` }] });
    // Entra ID: remove with a path and value objects; a path-less replace of the name.
    await scim.patch(`/Groups/${id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'Remove', path: 'members', value: [{ value: b!.id }] },
        { op: 'Replace', value: { displayName: `${name}-renamed` } },
      ],
    });
    const group = await scim.get<ScimGroup>(`/Groups/${id}`);
    expect(group.body).toMatchObject({ displayName: `${name}-renamed`, members: [{ value: c!.id }] });
    const memberships = await api.prisma.membership.findMany({ where: { groupId: id } });
    expect(memberships).toMatchObject([{ userId: c!.id, source: 'scim' }]);

    const audit = await api.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { seq: 'asc' } });
    expect(audit.map((event) => event.action)).toEqual(['scim.group.create', 'scim.group.update', 'scim.group.update', 'scim.group.update']);
    expect(audit.every((event) => event.actorType === 'scim_client' && event.actorLabel === `SCIM client of ${idpName}`)).toBe(true);

    expect((await scim.delete(`/Groups/${id}`)).status).toBe(204);
    expectScimError(await scim.get(`/Groups/${id}`), 404);
    expect(await api.prisma.membership.count({ where: { groupId: id } })).toBe(0);
  });

  it('should let a membership change reach the very next policy decision', async () => {
    const sub = crypto.randomUUID();
    const user = await createUser(entraUser(`${unique('pd')}@example.test`, sub));
    const groupId = await policyGroupId();
    expect(await exchange(sub)).toMatchObject({ status: 400, error: 'invalid_grant', description: 'No policy allows this user to reach this resource through this client' });
    expect((await exchange(sub, otherInstance)).status).toBe(400);
    await scim.patch(`/Groups/${groupId}`, { schemas: [patchOp], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id }] }] });
    expect(await exchange(sub)).toEqual({ status: 200 });
    // The other instance hears of it over the coordination port (or at its next version check).
    await eventually('the second instance allows the new member', () => exchange(sub, otherInstance), (answer) => answer.status === 200);
    await scim.patch(`/Groups/${groupId}`, { schemas: [patchOp], Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] });
    expect(await exchange(sub)).toMatchObject({ status: 400, error: 'invalid_grant', description: 'No policy allows this user to reach this resource through this client' });
    await eventually('the second instance refuses the removed member', () => exchange(sub, otherInstance), (answer) => answer.status === 400);
  });
});

describe('bad input and other credentials', () => {
  it('should refuse a bad filter, an unknown attribute and an unsupported operator with invalidFilter', async () => {
    expectScimError(await scim.get(`/Users?${filter('userName eqq "x"')}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Users?${filter('nickName eq "x"')}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Users?${filter('userName co "x"')}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Groups?${filter('members[display eq "x"]')}`), 400, 'invalidFilter');
  });

  it('should refuse a PATCH of an unknown attribute, a bad value and malformed JSON, and change nothing', async () => {
    const user = await createUser(oktaUser(`${unique('bad')}@example.test`, unique('00u')));
    const before = await api.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expectScimError(await scim.patch(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'shoeSize', value: 44 }] }), 400, 'invalidPath');
    expectScimError(await scim.patch(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }), 400, 'invalidValue');
    expectScimError(await scim.patch(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'explode', path: 'active', value: false }] }), 400);
    expectScimError(await scim.request('PATCH', `/Users/${user.id}`, '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ['), 400, 'invalidSyntax');
    expectScimError(await scim.request('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    expectScimError(await scim.post('/Users', { schemas: [userSchema], displayName: 'No userName' }), 400);
    expect(await api.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(before);
  });

  it('should answer odd bodies and parameters with a 4xx SCIM error, never a 5xx', async () => {
    const user = await createUser(oktaUser(`${unique('odd')}@example.test`, unique('00u')));
    const group = (await scim.post<ScimGroup>('/Groups', { schemas: [groupSchema], displayName: unique('odd') })).body;
    const answers = await Promise.all([
      scim.request('POST', '/Users', '[1, 2]'),
      scim.request('POST', '/Users', '"just a string"'),
      scim.post('/Users', { schemas: [groupSchema], displayName: 'a group at /Users' }),
      scim.post('/Users', { schemas: [userSchema], userName: 42 }),
      scim.post('/Users', { schemas: [userSchema], userName: 'x@example.test', emails: 'not a list' }),
      scim.post('/Groups', { schemas: [groupSchema], displayName: unique('g'), members: 'nobody' }),
      scim.post('/Groups', { schemas: [groupSchema], displayName: unique('g'), members: [{ value: 'not-a-uuid' }] }),
      scim.patch(`/Users/${user.id}`, { schemas: [patchOp], Operations: 'all of them' }),
      scim.patch(`/Users/${user.id}`, { schemas: [patchOp] }),
      scim.patch(`/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] }),
      scim.patch(`/Groups/${group.id}`, { schemas: [patchOp], Operations: [{ op: 'add', path: 'members', value: 'someone' }] }),
      scim.patch(`/Groups/${group.id}`, { schemas: [patchOp], Operations: [{ op: 'remove', path: 'members[value eq' }] }),
      scim.get('/Users?startIndex=-5&count=banana'),
      scim.get(`/Users?${filter('userName eq "a"')}&${filter('userName eq "b"')}`),
      scim.get('/Users/not-a-uuid'),
      scim.patch('/Users/00000000-0000-4000-8000-000000000000', { schemas: [patchOp], Operations: [{ op: 'replace', path: 'active', value: false }] }),
      scim.delete('/Groups/not-a-uuid'),
      scim.request('PUT', `/Users/${user.id}`, { schemas: [userSchema] }),
    ]);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    for (const answer of answers.filter((candidate) => candidate.status >= 400)) {
      expectScimError(answer, answer.status);
    }
    // Nonsense paging falls back to the defaults; everything else is refused.
    expect(statuses.filter((status) => status < 400)).toEqual([200]);
    expect(await api.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ status: 'active' });
    expect(await api.prisma.membership.count({ where: { groupId: group.id } })).toBe(0);
  });

  it('should refuse a duplicate userName with uniqueness', async () => {
    const login = `${unique('dup')}@example.test`;
    await createUser(oktaUser(login, unique('00u')));
    expectScimError(await scim.post('/Users', oktaUser(login, unique('00u'))), 409, 'uniqueness');
  });

  it('should not create a group whose member is not a user of the IdP', async () => {
    const theirs = await createUser(oktaUser(`${unique('theirs')}@example.test`, unique('00u')), other);
    const name = unique('mixed');
    expectScimError(await scim.post('/Groups', { schemas: [groupSchema], displayName: name, members: [{ value: theirs.id }] }), 400, 'invalidValue');
    expect(await api.prisma.group.count({ where: { name } })).toBe(0);
  });

  it('should refuse a PATCH that renames a group onto another or adds another IdP\'s user, and change nothing', async () => {
    const taken = unique('taken');
    expect((await scim.post('/Groups', { schemas: [groupSchema], displayName: taken })).status).toBe(201);
    const member = await createUser(oktaUser(`${unique('member')}@example.test`, unique('00u')));
    const name = unique('ops');
    const group = (await scim.post<ScimGroup>('/Groups', { schemas: [groupSchema], displayName: name, members: [{ value: member.id }] })).body;
    const theirs = await createUser(oktaUser(`${unique('theirs')}@example.test`, unique('00u')), other);
    const events = await api.prisma.auditEvent.count({ where: { targetId: group.id } });

    expectScimError(await scim.patch(`/Groups/${group.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', path: 'displayName', value: taken }] }), 409, 'uniqueness');
    expectScimError(
      await scim.patch(`/Groups/${group.id}`, { schemas: [patchOp], Operations: [{ op: 'remove', path: `members[value eq "${member.id}"]` }, { op: 'add', path: 'members', value: [{ value: theirs.id }] }] }),
      400,
      'invalidValue',
    );
    expect((await scim.get<ScimGroup>(`/Groups/${group.id}`)).body).toMatchObject({ displayName: name, members: [{ value: member.id }] });
    expect(await api.prisma.auditEvent.count({ where: { targetId: group.id } })).toBe(events);
  });

  it('should write nothing for a resent, unchanged user or group', async () => {
    const body = oktaUser(`${unique('same')}@example.test`, unique('00u'));
    const user = await createUser(body);
    const group = (await scim.post<ScimGroup>('/Groups', { schemas: [groupSchema], displayName: unique('same'), members: [{ value: user.id }] })).body;
    const version = await api.prisma.policyVersion.findUniqueOrThrow({ where: { id: 1 } });
    expect((await scim.request('PUT', `/Users/${user.id}`, body)).status).toBe(200);
    expect((await scim.patch(`/Users/${user.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', value: { active: true } }] })).status).toBe(200);
    expect((await scim.patch(`/Groups/${group.id}`, { schemas: [patchOp], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id }] }] })).status).toBe(200);
    expect(await api.prisma.auditEvent.count({ where: { targetId: { in: [user.id, group.id] } } })).toBe(2);
    expect(await api.prisma.policyVersion.findUniqueOrThrow({ where: { id: 1 } })).toEqual(version);
  });

  it('should refuse a missing or wrong token with 401, and hide one IdP\'s users from another', async () => {
    const anonymous = await fetch(`${api.baseUrl}/scim/v2/Users`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await anonymous.json()) as ScimErrorBody).schemas).toEqual([errorSchema]);
    expectScimError(await new ScimHttp(AdminHttp.withToken(api.baseUrl, 'cgscim_not-a-token'), '').get('/Users'), 401);
    // An admin API token is not a SCIM token.
    expectScimError(await new ScimHttp(AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token), '').get('/Users'), 401);

    const login = `${unique('mine')}@example.test`;
    const mine = await createUser(oktaUser(login, unique('00u')));
    expectScimError(await other.get(`/Users/${mine.id}`), 404);
    expectScimError(await other.patch(`/Users/${mine.id}`, { schemas: [patchOp], Operations: [{ op: 'replace', value: { active: false } }] }), 404);
    expectScimError(await other.delete(`/Users/${mine.id}`), 404);
    expect((await other.get<ListResponse<ScimUser>>(`/Users?${filter(`userName eq "${login}"`)}`)).body.totalResults).toBe(0);
    expect(await api.prisma.user.findUniqueOrThrow({ where: { id: mine.id } })).toMatchObject({ status: 'active', deletedAt: null });
    expect(await activeUserSwitches(mine.id)).toEqual([]);
  });
});

async function policyGroupId(): Promise<string> {
  const listed = await scim.get<ListResponse<ScimGroup>>(`/Groups?${filter(`displayName eq "${policyGroupName}"`)}`);
  expect(listed.body.totalResults).toBe(1);
  return listed.body.Resources[0]!.id;
}
