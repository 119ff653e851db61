import { jest } from '@jest/globals';

import { compilePolicies } from './compile.ts';
import { decide } from './decide.ts';
import { type DecisionRequest } from './decision.ts';
import { type ClientRow, type PolicyRow } from './rows.ts';

// Monday 23 November 2026, 10:00 UTC (11:00 in Zurich).
const now = new Date('2026-11-23T10:00:00Z');

let sequence = 0;
function policy(overrides: Partial<PolicyRow> = {}): PolicyRow {
  sequence += 1;
  return {
    id: `policy-${sequence}`,
    clientId: 'support-agent',
    resourceId: 'jira',
    effect: 'allow',
    everyone: false,
    subjectGroupIds: [],
    subjectUserIds: [],
    scopes: ['issues.read', 'comments.write'],
    conditions: {},
    status: 'active',
    expiresAt: null,
    ...overrides,
  };
}

const clients: ClientRow[] = [
  { id: 'support-agent', scopeCeiling: [] },
  { id: 'cursor', scopeCeiling: ['issues.read', 'repo.read'] },
];

const alice = { id: 'alice', groupIds: ['support', 'staff'] };
const bob = { id: 'bob', groupIds: ['sales'] };

function ask(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return { clientId: 'support-agent', resourceId: 'jira', user: alice, now, ...overrides };
}

function decideWith(rows: PolicyRow[], request: DecisionRequest = ask()) {
  return decide(compilePolicies(rows, clients, { now }), request);
}

describe('decide: subjects', () => {
  it('should grant a policy naming one of the user groups its scopes', () => {
    const rule = policy({ subjectGroupIds: ['support'] });

    const decision = decideWith([rule]);

    expect(decision).toMatchObject({ allowed: true, code: 'allowed', grantedScopes: ['comments.write', 'issues.read'], policyIds: [rule.id] });
  });

  it('should grant a policy naming the user directly its scopes', () => {
    const rule = policy({ subjectUserIds: ['alice'], scopes: ['issues.read'] });

    expect(decideWith([rule])).toMatchObject({ allowed: true, grantedScopes: ['issues.read'], policyIds: [rule.id] });
  });

  it('should grant a policy for everyone to a user in no group', () => {
    const rule = policy({ everyone: true, scopes: ['issues.read'] });

    expect(decideWith([rule], ask({ user: { id: 'carol', groupIds: [] } }))).toMatchObject({ allowed: true, grantedScopes: ['issues.read'] });
  });

  it('should refuse with no_policy when the pair has policies but none names the user, their groups or everyone', () => {
    const rule = policy({ subjectGroupIds: ['support'], subjectUserIds: ['alice'] });

    const decision = decideWith([rule], ask({ user: bob }));

    expect(decision).toMatchObject({ allowed: false, code: 'no_policy', grantedScopes: [], policyIds: [] });
  });

  it('should refuse with no_policy when the app pair has no policy at all', () => {
    const decision = decideWith([policy({ everyone: true })], ask({ resourceId: 'confluence' }));

    expect(decision).toMatchObject({ allowed: false, code: 'no_policy' });
    expect(decision.trace[0]).toEqual({ check: 'pair', passed: false, outcome: 'no active policy for this client and resource' });
  });

  it('should count a policy naming both the user and their group once', () => {
    const rule = policy({ subjectUserIds: ['alice'], subjectGroupIds: ['support', 'staff'] });

    const decision = decideWith([rule]);

    expect(decision.policyIds).toEqual([rule.id]);
    expect(decision.trace.filter((step) => step.check === 'subject')).toHaveLength(1);
  });
});

describe('decide: effect and status', () => {
  it('should let a deny policy without scopes win over an allow policy for the same user', () => {
    const allow = policy({ subjectGroupIds: ['support'] });
    const deny = policy({ effect: 'deny', subjectUserIds: ['alice'], scopes: [] });

    const decision = decideWith([allow, deny]);

    expect(decision).toMatchObject({ allowed: false, code: 'denied_by_policy', grantedScopes: [], policyIds: [deny.id] });
  });

  it('should remove the scopes of a deny policy with scopes from what allow policies grant', () => {
    const allow = policy({ subjectGroupIds: ['support'] });
    const deny = policy({ effect: 'deny', everyone: true, scopes: ['comments.write'] });

    const decision = decideWith([allow, deny], ask({ requestedScopes: ['issues.read', 'comments.write'] }));

    expect(decision).toMatchObject({ allowed: true, grantedScopes: ['issues.read'], narrowed: true, policyIds: [allow.id, deny.id] });
  });

  it('should not let a deny policy for another group affect the user', () => {
    const allow = policy({ subjectGroupIds: ['support'] });
    const deny = policy({ effect: 'deny', subjectGroupIds: ['contractors'], scopes: [] });

    expect(decideWith([allow, deny])).toMatchObject({ allowed: true, policyIds: [allow.id] });
  });

  it('should ignore a draft policy', () => {
    expect(decideWith([policy({ everyone: true, status: 'draft' })])).toMatchObject({ allowed: false, code: 'no_policy' });
  });

  it('should ignore a disabled policy', () => {
    expect(decideWith([policy({ everyone: true, status: 'disabled' })])).toMatchObject({ allowed: false, code: 'no_policy' });
  });

  it('should ignore a disabled deny policy', () => {
    const allow = policy({ everyone: true });
    const deny = policy({ everyone: true, effect: 'deny', scopes: [], status: 'disabled' });

    expect(decideWith([allow, deny])).toMatchObject({ allowed: true });
  });

  it('should ignore a policy that expired before the index was compiled', () => {
    const expired = policy({ everyone: true, expiresAt: new Date(now.getTime() - 1) });

    expect(decideWith([expired])).toMatchObject({ allowed: false, code: 'no_policy' });
  });

  it('should ignore a policy that expires between compilation and the decision', () => {
    const index = compilePolicies([policy({ everyone: true, expiresAt: new Date('2026-11-23T12:00:00Z') })], clients, { now });

    const before = decide(index, ask({ now: new Date('2026-11-23T11:59:59.999Z') }));
    const atExpiry = decide(index, ask({ now: new Date('2026-11-23T12:00:00Z') }));

    expect(before.allowed).toBe(true);
    expect(atExpiry).toMatchObject({ allowed: false, code: 'no_policy' });
    expect(atExpiry.trace).toContainEqual(expect.objectContaining({ check: 'expiry', passed: false, outcome: 'expired at 2026-11-23T12:00:00.000Z' }));
  });

  it('should unite the scopes of several allow policies that name the same user', () => {
    const read = policy({ subjectGroupIds: ['support'], scopes: ['issues.read'] });
    const write = policy({ subjectGroupIds: ['staff'], scopes: ['comments.write', 'tickets.write'] });

    const decision = decideWith([read, write]);

    expect(decision).toMatchObject({ grantedScopes: ['comments.write', 'issues.read', 'tickets.write'], policyIds: [read.id, write.id] });
  });
});

describe('decide: scopes', () => {
  it('should grant requested ∩ policy ∩ ceiling and say it narrowed the request', () => {
    const rule = policy({ clientId: 'cursor', everyone: true, scopes: ['issues.read', 'comments.write'] });

    const decision = decideWith([rule], ask({ clientId: 'cursor', requestedScopes: ['comments.write', 'issues.read', 'repo.read'] }));

    // comments.write is above cursor's ceiling; repo.read is within it but no policy grants it.
    expect(decision).toMatchObject({ allowed: true, grantedScopes: ['issues.read'], narrowed: true });
  });

  it('should not narrow when every requested scope is granted, and keep the requested order', () => {
    const decision = decideWith([policy({ everyone: true })], ask({ requestedScopes: ['issues.read', 'comments.write', 'issues.read'] }));

    expect(decision).toMatchObject({ allowed: true, grantedScopes: ['issues.read', 'comments.write'], narrowed: false });
  });

  it('should treat an empty client ceiling as no ceiling', () => {
    const rule = policy({ everyone: true, scopes: ['admin.write'] });

    expect(decideWith([rule], ask({ requestedScopes: ['admin.write'] }))).toMatchObject({ allowed: true, grantedScopes: ['admin.write'] });
  });

  it('should grant the policy scopes within the ceiling when no scope is requested, without calling it narrowed', () => {
    const rule = policy({ clientId: 'cursor', everyone: true, scopes: ['repo.read', 'issues.read', 'comments.write'] });

    const decision = decideWith([rule], ask({ clientId: 'cursor' }));

    expect(decision).toMatchObject({ allowed: true, grantedScopes: ['issues.read', 'repo.read'], narrowed: false });
  });

  it('should treat an empty scope list like no requested scope', () => {
    const decision = decideWith([policy({ everyone: true, scopes: ['issues.read'] })], ask({ requestedScopes: [] }));

    expect(decision).toMatchObject({ allowed: true, grantedScopes: ['issues.read'], narrowed: false });
  });

  it('should refuse with no_allowed_scope when no requested scope is granted', () => {
    const rule = policy({ everyone: true, scopes: ['issues.read'] });

    const decision = decideWith([rule], ask({ requestedScopes: ['admin.write'] }));

    expect(decision).toMatchObject({ allowed: false, code: 'no_allowed_scope', grantedScopes: [], policyIds: [rule.id] });
  });

  it('should refuse with no_allowed_scope when the ceiling removes every scope of the policy', () => {
    const rule = policy({ clientId: 'cursor', everyone: true, scopes: ['comments.write'] });

    expect(decideWith([rule], ask({ clientId: 'cursor' }))).toMatchObject({ allowed: false, code: 'no_allowed_scope' });
  });

  it('should cap the lifetime at the smallest maxLifetimeSeconds of the policies that granted a scope', () => {
    const short = policy({ everyone: true, scopes: ['issues.read'], conditions: { maxLifetimeSeconds: 60 } });
    const long = policy({ everyone: true, scopes: ['comments.write'], conditions: { maxLifetimeSeconds: 240 } });
    const unused = policy({ everyone: true, scopes: ['tickets.write'], conditions: { maxLifetimeSeconds: 30 } });

    const decision = decideWith([short, long, unused], ask({ requestedScopes: ['issues.read', 'comments.write'] }));

    expect(decision).toMatchObject({ maxLifetimeSeconds: 60, policyIds: [short.id, long.id] });
  });

  it('should leave the lifetime to the caller when no granting policy caps it', () => {
    expect(decideWith([policy({ everyone: true })])).not.toHaveProperty('maxLifetimeSeconds');
  });
});

describe('decide: time windows', () => {
  const weekdays = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' };

  it('should grant inside the time window', () => {
    const rule = policy({ everyone: true, conditions: { timeWindow: { ...weekdays, timeZone: 'Europe/Zurich' } } });

    const decision = decideWith([rule], ask({ now: new Date('2026-11-23T15:59:00Z') })); // 16:59 in Zurich

    expect(decision.allowed).toBe(true);
  });

  it('should refuse with outside_time_window once the window has closed, the end being exclusive', () => {
    const rule = policy({ everyone: true, conditions: { timeWindow: { ...weekdays, timeZone: 'Europe/Zurich' } } });

    const decision = decideWith([rule], ask({ now: new Date('2026-11-23T16:00:00Z') })); // 17:00 in Zurich

    expect(decision).toMatchObject({ allowed: false, code: 'outside_time_window', policyIds: [rule.id] });
    expect(decision.trace).toContainEqual({
      check: 'time_window',
      passed: false,
      outcome: 'closed: mon,tue,wed,thu,fri 09:00–17:00 Europe/Zurich, now mon 17:00 there',
      policyId: rule.id,
    });
  });

  it('should read the day in the policy time zone when it is already Monday there but still Sunday in UTC', () => {
    const rule = policy({ everyone: true, conditions: { timeWindow: { ...weekdays, timeZone: 'Pacific/Auckland' } } });

    const decision = decideWith([rule], ask({ now: new Date('2026-11-22T21:30:00Z') })); // Sunday UTC, Monday 10:30 in Auckland

    expect(decision.allowed).toBe(true);
  });

  it('should read the day in the policy time zone when it is already Monday in UTC but still Sunday there', () => {
    const rule = policy({ everyone: true, conditions: { timeWindow: { days: ['mon'], start: '00:00', end: '23:59', timeZone: 'America/Los_Angeles' } } });

    const decision = decideWith([rule], ask({ now: new Date('2026-11-23T02:00:00Z') })); // Monday UTC, Sunday 18:00 in Los Angeles

    expect(decision).toMatchObject({ allowed: false, code: 'outside_time_window' });
  });

  it('should apply a deny policy with a time window only while its window is open', () => {
    const allow = policy({ everyone: true });
    const weekendDeny = policy({ everyone: true, effect: 'deny', scopes: [], conditions: { timeWindow: { days: ['sat', 'sun'], start: '00:00', end: '23:59', timeZone: 'UTC' } } });
    const index = compilePolicies([allow, weekendDeny], clients, { now });

    expect(decide(index, ask({ now: new Date('2026-11-23T10:00:00Z') })).allowed).toBe(true);
    expect(decide(index, ask({ now: new Date('2026-11-22T10:00:00Z') }))).toMatchObject({ code: 'denied_by_policy' });
  });
});

describe('decide: authentication', () => {
  it('should require step-up when the acr is not one of requiredAcr, naming the acr values that would do', () => {
    const rule = policy({ everyone: true, conditions: { requiredAcr: ['phr', 'phrh'] } });

    const decision = decideWith([rule], ask({ authentication: { acr: 'pwd' } }));

    expect(decision).toMatchObject({ allowed: false, code: 'step_up_required', acrValues: ['phr', 'phrh'], policyIds: [rule.id] });
  });

  it('should grant when the acr is one of requiredAcr', () => {
    const rule = policy({ everyone: true, conditions: { requiredAcr: ['phr', 'phrh'] } });

    expect(decideWith([rule], ask({ authentication: { acr: 'phrh' } })).allowed).toBe(true);
  });

  it('should require step-up when amr lacks one of the requiredAmr values', () => {
    const rule = policy({ everyone: true, conditions: { requiredAmr: ['mfa', 'hwk'] } });

    const decision = decideWith([rule], ask({ authentication: { amr: ['pwd', 'mfa'] } }));

    expect(decision).toMatchObject({ allowed: false, code: 'step_up_required' });
    expect(decision).not.toHaveProperty('acrValues');
    expect(decision.trace).toContainEqual({ check: 'amr', passed: false, outcome: 'amr pwd mfa lacks hwk', policyId: rule.id });
  });

  it('should grant when amr includes every requiredAmr value', () => {
    const rule = policy({ everyone: true, conditions: { requiredAmr: ['mfa', 'hwk'] } });

    expect(decideWith([rule], ask({ authentication: { amr: ['hwk', 'pwd', 'mfa'] } })).allowed).toBe(true);
  });

  it('should require step-up when the request carries no authentication details', () => {
    const rule = policy({ everyone: true, conditions: { requiredAmr: ['mfa'] } });

    expect(decideWith([rule])).toMatchObject({ code: 'step_up_required' });
  });

  it('should narrow to what the authentication already allows rather than require step-up', () => {
    const read = policy({ everyone: true, scopes: ['issues.read'] });
    const write = policy({ everyone: true, scopes: ['comments.write'], conditions: { requiredAmr: ['mfa'] } });

    const decision = decideWith([read, write], ask({ requestedScopes: ['issues.read', 'comments.write'], authentication: { amr: ['pwd'] } }));

    expect(decision).toMatchObject({ allowed: true, grantedScopes: ['issues.read'], narrowed: true, policyIds: [read.id] });
  });

  it('should report a closed window rather than step-up when the window is closed as well', () => {
    const rule = policy({ everyone: true, conditions: { requiredAmr: ['mfa'], timeWindow: { days: ['sat'], start: '09:00', end: '17:00', timeZone: 'UTC' } } });

    expect(decideWith([rule])).toMatchObject({ code: 'outside_time_window' });
  });

  it('should apply a deny policy whatever its requiredAmr says', () => {
    const allow = policy({ everyone: true });
    const deny = policy({ everyone: true, effect: 'deny', scopes: [], conditions: { requiredAmr: ['mfa'] } });

    expect(decideWith([allow, deny], ask({ authentication: { amr: ['mfa'] } }))).toMatchObject({ code: 'denied_by_policy' });
  });
});

describe('decide: trace and isolation', () => {
  it('should trace the pair, the subject match, each condition, the scopes and the result', () => {
    const rule = policy({ subjectGroupIds: ['support'], conditions: { requiredAmr: ['mfa'] } });

    const decision = decideWith([rule], ask({ requestedScopes: ['issues.read', 'admin.write'], authentication: { amr: ['mfa'] } }));

    expect(decision.trace).toEqual([
      { check: 'pair', passed: true, outcome: 'found 1 active policy for this client and resource' },
      { check: 'subject', passed: true, outcome: "names the user's group support", policyId: rule.id },
      { check: 'amr', passed: true, outcome: 'amr includes mfa', policyId: rule.id },
      { check: 'effect', passed: true, outcome: 'allow: grants issues.read comments.write', policyId: rule.id },
      { check: 'ceiling', passed: true, outcome: 'no ceiling set for this client' },
      { check: 'requested_scopes', passed: true, outcome: 'requested issues.read admin.write, dropped admin.write' },
      { check: 'result', passed: true, outcome: 'allowed: issues.read (narrowed)' },
    ]);
  });

  it('should trace which check refused, with the policy id', () => {
    const deny = policy({ effect: 'deny', subjectGroupIds: ['staff'], scopes: [] });

    const decision = decideWith([deny]);

    expect(decision.trace.slice(-2)).toEqual([
      { check: 'effect', passed: false, outcome: 'deny: blocks this app pair', policyId: deny.id },
      { check: 'result', passed: false, outcome: 'denied_by_policy: a deny policy blocks this app pair for the user' },
    ]);
  });

  it('should mark the ceiling as the failed check when it removes every scope the policies grant', () => {
    const rule = policy({ clientId: 'cursor', everyone: true, scopes: ['comments.write'] });

    const decision = decideWith([rule], ask({ clientId: 'cursor', requestedScopes: ['comments.write'] }));

    expect(decision.trace.filter((step) => !step.passed).map((step) => step.check)).toEqual(['ceiling', 'result']);
    expect(decision.trace).toContainEqual({ check: 'ceiling', passed: false, outcome: 'client ceiling drops comments.write' });
  });

  it('should mark the requested scopes as the failed check when none of them is granted', () => {
    const decision = decideWith([policy({ everyone: true })], ask({ requestedScopes: ['admin.write'] }));

    expect(decision.trace.filter((step) => !step.passed).map((step) => step.check)).toEqual(['requested_scopes', 'result']);
  });

  it('should never consult policies of another app pair, even ones for everyone', () => {
    const sameClient = policy({ resourceId: 'confluence', everyone: true });
    const sameResource = policy({ clientId: 'cursor', everyone: true, scopes: ['issues.read'] });
    const index = compilePolicies([sameClient, sameResource], clients, { now });
    const lookup = jest.spyOn(index, 'pair');

    const decision = decide(index, ask());

    expect(decision).toMatchObject({ allowed: false, code: 'no_policy' });
    expect(lookup.mock.calls).toEqual([['support-agent', 'jira']]);
    expect(JSON.stringify(decision)).not.toMatch(/policy-/);
  });

  it('should examine only the policies of the pair that name the user, their groups or everyone', () => {
    const others = Array.from({ length: 50 }, (_, i) => policy({ subjectUserIds: [`user-${i}`], subjectGroupIds: [`group-${i}`] }));
    const mine = policy({ subjectGroupIds: ['staff'], scopes: ['issues.read'] });

    const decision = decideWith([...others, mine]);

    expect(decision.trace[0]?.outcome).toBe('found 51 active policies for this client and resource');
    expect(new Set(decision.trace.flatMap((step) => (step.policyId ? [step.policyId] : [])))).toEqual(new Set([mine.id]));
  });
});
