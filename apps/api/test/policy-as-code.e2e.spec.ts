/**
 * Policy as code with `crossgate policy`: export writes the whole policy set as YAML keyed by names, in
 * a stable order; plan shows what a file would change and who gains or loses access; apply submits
 * widening policy changes for a second it-admin's approval, or writes them at once where the
 * environment permits it. Export from one instance and apply on a fresh one gives the same decisions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { loadConfig } from '@crossgate/config';
import { AdminHttp, type CommandResult, createAdmin, createFreshDatabase, type FreshDatabase, runCrossgateCli, type TestAdmin, unique } from '@crossgate/testing';

import type { PolicySetDocument } from '../src/policy-set/index.ts';
import type { Simulation } from '../src/policies/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const issuer = 'https://login.bank.example.test';

interface Instance {
  api: TestApi;
  database: FreshDatabase;
  admin: TestAdmin;
  http: AdminHttp;
  /** A second it-admin, who approves what `admin` applies. */
  approver: AdminHttp;
  idpId: string;
  users: Record<'alice' | 'bob' | 'carol', string>;
}

const instances: Instance[] = [];
let source: Instance;
let target: Instance;
let folder: string;

async function created(http: AdminHttp, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await http.post<{ id: string }>(path, body);
  if (response.status !== 201) {
    throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.id;
}

/** An instance on a database of its own, with the directory (the IdP and its users) policies name. */
async function instance(environment: Record<string, string> = {}): Promise<Instance> {
  const database = await createFreshDatabase();
  const api = await startTestApi({ DATABASE_URL: database.url, REDIS_PREFIX: `${loadConfig().redis.prefix}:${unique('pac')}`, ...environment });
  const admin = await createAdmin(api.prisma, 'it-admin');
  const http = AdminHttp.withToken(api.baseUrl, admin.token);
  const approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  const idpId = await created(http, '/api/trusted-idps', { name: 'Bank SSO', issuer, audiences: ['crossgate'] });
  const user = (name: string) => created(http, '/api/users', { idpId, subject: `sub-${name}`, email: `${name}@bank.example.test`, displayName: name });
  const made: Instance = { api, database, admin, http, approver, idpId, users: { alice: await user('alice'), bob: await user('bob'), carol: await user('carol') } };
  instances.push(made);
  return made;
}

function crossgate(on: Instance, args: string[]): Promise<CommandResult> {
  return runCrossgateCli({ repositoryRoot, baseUrl: on.api.baseUrl, token: on.admin.token }, args);
}

async function idOf(on: Instance, path: string, field: string, value: string): Promise<string> {
  const found = await on.http.get<Record<string, string>[]>(`${path}?filter=${encodeURIComponent(JSON.stringify({ q: value }))}&range=${encodeURIComponent('[0,49]')}`);
  const match = found.body.find((record) => record[field] === value);
  if (!match) {
    throw new Error(`No ${path} with ${field} ${value}`);
  }
  return match['id']!;
}

/** Alice is in Support; what each user gets at each pair, by name, as the live engine decides. */
async function decisions(on: Instance): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  for (const client of ['support-agent', 'reporting-bot']) {
    for (const resource of ['jira', 'ledger']) {
      const pair = { clientId: await idOf(on, '/api/clients', 'clientId', client), resourceId: await idOf(on, '/api/resources', 'slug', resource) };
      for (const [name, userId] of Object.entries(on.users)) {
        const response = await on.http.post<Simulation>('/api/policies/simulate', { ...pair, userId });
        expect(response.status).toBe(200);
        answers[`${client} ${resource} ${name}`] = response.body.decision.allowed ? `allowed ${[...response.body.decision.grantedScopes].sort().join(' ')}` : response.body.decision.code;
      }
    }
  }
  return answers;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'crossgate-policy-'));
  source = await instance();
  target = await instance({ POLICY_APPLY_DIRECT: 'true' });

  // The source's policy set, written through the console's API as an admin would.
  const http = source.http;
  const support = await created(http, '/api/groups', { name: 'Support', description: 'First-line support' });
  await created(http, '/api/groups', { name: 'Finance' });
  await created(http, '/api/memberships', { userId: source.users.alice, groupId: support });
  const agent = await created(http, '/api/clients', { clientId: 'support-agent', name: 'Support agent', kind: 'ai_agent', authMethod: 'client_secret_basic', owner: 'dana@bank.example.test', scopeCeiling: ['issues.read', 'issues.write', 'comments.write'] });
  const bot = await created(http, '/api/clients', { clientId: 'reporting-bot', name: 'Reporting bot', kind: 'ai_agent', authMethod: 'client_secret_basic', owner: 'dana@bank.example.test' });
  const jira = await created(http, '/api/resources', {
    slug: 'jira',
    name: 'Jira',
    authorizationServer: 'https://jira.bank.example.test',
    resourceIndicators: ['https://jira.bank.example.test/api'],
    scopes: [{ name: 'issues.read', description: 'Read issues' }, { name: 'issues.write', risk: 'medium' }, { name: 'comments.write' }],
    owner: 'dana@bank.example.test',
  });
  const ledger = await created(http, '/api/resources', {
    slug: 'ledger',
    name: 'Ledger',
    authorizationServer: 'https://ledger.bank.example.test',
    resourceIndicators: ['https://ledger.bank.example.test/api'],
    scopes: [{ name: 'ledger.read' }, { name: 'ledger.post', risk: 'high' }],
    owner: 'dana@bank.example.test',
  });
  await created(http, '/api/group-mappings', { idpId: source.idpId, externalGroup: 'okta-support', groupId: support });
  await created(http, '/api/group-mappings', { idpId: source.idpId, externalGroup: 'okta-crossgate-admins', adminRole: 'it-admin' });
  const activate = async (body: Record<string, unknown>) => {
    const id = await created(http, '/api/policies', { status: 'draft', ...body });
    const request = await http.post<{ id: string }>(`/api/policies/${id}/approval-requests`, {});
    expect((await source.approver.post(`/api/approvals/${request.body.id}/approve`)).status).toBe(200);
  };
  await activate({ name: 'Support reads and writes Jira', clientId: agent, resourceId: jira, subjectGroupIds: [support], scopes: ['issues.write', 'issues.read'] });
  await activate({ name: 'Bob comments', clientId: agent, resourceId: jira, subjectUserIds: [source.users.bob], scopes: ['comments.write'], conditions: { maxLifetimeSeconds: 120 } });
  await activate({ name: 'Reports read the ledger', clientId: bot, resourceId: ledger, everyone: true, scopes: ['ledger.read'] });
  await created(http, '/api/policies', { name: 'Posting, not yet agreed', clientId: bot, resourceId: ledger, subjectUserIds: [source.users.carol], scopes: ['ledger.post'], status: 'draft' });
}, 180_000);

afterAll(async () => {
  for (const { api, database } of instances) {
    await api.close();
    await database.drop();
  }
  rmSync(folder, { recursive: true, force: true });
});

describe('crossgate policy export', () => {
  it('should write the whole set as YAML keyed by names, the same bytes every time, and plan no change against itself', async () => {
    const file = join(folder, 'first.yaml');
    const first = await crossgate(source, ['policy', 'export', '-o', file]);
    const second = await crossgate(source, ['policy', 'export']);

    expect(first).toMatchObject({ code: 0 });
    const yaml = readFileSync(file, 'utf8');
    expect(second.stdout).toBe(yaml);
    // Names, never row ids, which mean nothing on another instance.
    expect(yaml).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    const document = parseYaml(yaml) as PolicySetDocument;
    expect(document.version).toBe(1);
    expect(document.policies!.map((policy) => `${policy.client} ${policy.resource} ${policy.name}`)).toEqual([
      'reporting-bot ledger Posting, not yet agreed',
      'reporting-bot ledger Reports read the ledger',
      'support-agent jira Bob comments',
      'support-agent jira Support reads and writes Jira',
    ]);
    expect(document.policies![3]).toMatchObject({ groups: ['Support'], scopes: ['issues.read', 'issues.write'], status: 'active' });
    expect(document.policies![2]).toMatchObject({ users: ['bob@bank.example.test'], conditions: { maxLifetimeSeconds: 120 } });
    expect(document.groupMappings).toEqual([
      { idp: issuer, externalGroup: 'okta-crossgate-admins', adminRole: 'it-admin' },
      { idp: issuer, externalGroup: 'okta-support', group: 'Support' },
    ]);
    expect(document.clients!.find((client) => client['clientId'] === 'support-agent')).toMatchObject({ scopeCeiling: ['issues.read', 'issues.write', 'comments.write'] });
    expect(document.resources!.map((resource) => resource['slug'])).toEqual(['jira', 'ledger']);

    const plan = await crossgate(source, ['policy', 'plan', '-f', file]);
    expect(plan).toMatchObject({ code: 0 });
    expect(plan.stdout.trim()).toBe('No changes: this instance already holds the policy set');
  });
});

describe('crossgate policy apply on a fresh instance', () => {
  it('should plan the whole set with who gains access, apply it at once where permitted, and decide as the source does', async () => {
    const file = join(folder, 'round-trip.yaml');
    expect(await crossgate(source, ['policy', 'export', '-o', file])).toMatchObject({ code: 0 });

    const plan = await crossgate(target, ['policy', 'plan', '-f', file]);
    expect(plan).toMatchObject({ code: 0 });
    expect(plan.stdout).toContain('+ policy support-agent → jira: Support reads and writes Jira');
    expect(plan.stdout).toContain('+ group Support');
    expect(plan.stdout).toContain('+ groupMapping https://login.bank.example.test okta-support');
    // Everyone may read the ledger through the bot: all three users gain that before any membership exists.
    expect(plan.stdout).toMatch(/access at reporting-bot → ledger:\n(  gains {3}\S+@bank\.example\.test {2}ledger\.read\n){3}/);
    expect(await target.api.prisma.policy.count()).toBe(0);

    const applied = await crossgate(target, ['policy', 'apply', '-f', file, '--direct']);
    expect(applied).toMatchObject({ code: 0 });
    // Memberships belong to the directory (the IdP, SCIM): the same person is in the same group here.
    await created(target.http, '/api/memberships', { userId: target.users.alice, groupId: await idOf(target, '/api/groups', 'name', 'Support') });

    expect(await decisions(target)).toEqual(await decisions(source));
    expect((await crossgate(target, ['policy', 'export'])).stdout).toBe(readFileSync(file, 'utf8'));
    // Applied at once, each policy records who applied it as its approver, and the write is audited.
    const policies = await target.api.prisma.policy.findMany({ where: { status: 'active' } });
    expect(policies.map((policy) => policy.approvedBy?.split(' ')[0])).toEqual(policies.map(() => target.admin.email));
    expect(await target.api.prisma.auditEvent.count({ where: { action: 'policy.create', actorId: target.admin.id } })).toBe(4);
  });
});

describe('crossgate policy apply for approval', () => {
  it('should delete and narrow at once, and hold what widens access as approval requests until a second it-admin approves', async () => {
    const document = parseYaml((await crossgate(source, ['policy', 'export'])).stdout) as PolicySetDocument;
    const policies = document.policies!;
    // Widen Support's policy to comments, drop Bob's, and add a new active one for Finance.
    const support = policies.find((policy) => policy.name === 'Support reads and writes Jira')!;
    support.scopes = ['comments.write', 'issues.read', 'issues.write'];
    document.policies = [
      ...policies.filter((policy) => policy.name !== 'Bob comments'),
      { name: 'Carol reads Jira', client: 'support-agent', resource: 'jira', status: 'active', users: ['carol@bank.example.test'], scopes: ['issues.read'] },
    ];
    const file = join(folder, 'changes.yaml');
    writeFileSync(file, stringifyYaml(document));
    const before = await decisions(source);

    const plan = await crossgate(source, ['policy', 'plan', '-f', file]);
    expect(plan.stdout).toContain('~ policy support-agent → jira: Support reads and writes Jira (scopes)  [needs a second it-admin]');
    expect(plan.stdout).toContain('- policy support-agent → jira: Bob comments');
    expect(plan.stdout).toContain('+ policy support-agent → jira: Carol reads Jira  [needs a second it-admin]');
    expect(plan.stdout).toMatch(/loses {3}bob@bank\.example\.test {2}comments\.write/);
    expect(plan.stdout).toMatch(/gains {3}carol@bank\.example\.test {2}issues\.read/);
    expect(plan.stdout).toMatch(/changes alice@bank\.example\.test {2}issues\.read issues\.write → comments\.write issues\.read issues\.write/);

    const refused = await crossgate(source, ['policy', 'apply', '-f', file, '--direct']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('POLICY_APPLY_DIRECT');
    expect(await decisions(source)).toEqual(before);

    const applied = await crossgate(source, ['policy', 'apply', '-f', file]);
    expect(applied).toMatchObject({ code: 0 });
    const requested = [...applied.stdout.matchAll(/approval requested for (.+): ([0-9a-f-]{36})/g)].map((match) => [match[1], match[2]!] as const);
    expect(requested.map(([policy]) => policy).sort()).toEqual(['support-agent → jira: Carol reads Jira', 'support-agent → jira: Support reads and writes Jira']);
    // Only Bob's loss is in force; the widening waits.
    const waiting = await decisions(source);
    expect(waiting).toEqual({ ...before, 'support-agent jira bob': 'no_policy' });

    for (const [, approvalId] of requested) {
      expect((await source.approver.post(`/api/approvals/${approvalId}/approve`)).status).toBe(200);
    }
    expect(await decisions(source)).toMatchObject({
      'support-agent jira alice': 'allowed comments.write issues.read issues.write',
      'support-agent jira carol': 'allowed issues.read',
      'support-agent jira bob': 'no_policy',
    });
    expect((await crossgate(source, ['policy', 'plan', '-f', file])).stdout.trim()).toBe('No changes: this instance already holds the policy set');
  });
});

describe('bad policy sets', () => {
  it('should refuse a set that names what does not exist, or of another version, with every problem named and nothing written', async () => {
    const document = parseYaml((await crossgate(source, ['policy', 'export'])).stdout) as PolicySetDocument;
    const count = await source.api.prisma.policy.count({ where: { deletedAt: null } });
    const broken = {
      ...document,
      policies: [...document.policies!, { name: 'Ghosts', client: 'support-agent', resource: 'jira', groups: ['No such group'], users: ['nobody@bank.example.test'], scopes: ['issues.read'] }],
      groupMappings: [...document.groupMappings!, { idp: 'https://unknown.example.test', externalGroup: 'x', group: 'Support' }],
    };

    const response = await source.http.post<{ message: string; errors: Record<string, string> }>('/api/policy-set/apply', broken);
    const otherVersion = await source.http.post<{ errors: Record<string, string> }>('/api/policy-set/plan', { ...document, version: 2 });
    const notYaml = join(folder, 'not.yaml');
    writeFileSync(notYaml, 'policies: [unclosed');
    const cli = await crossgate(source, ['policy', 'plan', '-f', notYaml]);

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).sort()).toEqual([`groupMappings.${document.groupMappings!.length}.idp`, `policies.${document.policies!.length}.groups.0`, `policies.${document.policies!.length}.users.0`]);
    expect(response.body.errors[`policies.${document.policies!.length}.groups.0`]).toBe('no group "No such group" here or in the document');
    expect(await source.api.prisma.policy.count({ where: { deletedAt: null } })).toBe(count);
    expect(otherVersion.status).toBe(422);
    expect(otherVersion.body.errors).toEqual({ version: 'must be 1' });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('is not YAML');
  });

  it('should let an auditor export and plan but not apply', async () => {
    const auditor = AdminHttp.withToken(source.api.baseUrl, (await createAdmin(source.api.prisma, 'auditor')).token);
    const exported = await auditor.get<PolicySetDocument>('/api/policy-set');
    const plan = await auditor.post('/api/policy-set/plan', exported.body);
    const apply = await auditor.post('/api/policy-set/apply', exported.body);

    expect(exported.status).toBe(200);
    expect(plan.status).toBe(200);
    expect(apply.status).toBe(403);
  });
});
