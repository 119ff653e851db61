import { compilePolicies } from './compile.ts';
import { decide } from './decide.ts';
import { type ClientRow, type PolicyRow } from './rows.ts';

const now = new Date('2026-11-23T10:00:00Z');
const clients: ClientRow[] = [{ id: 'cursor', scopeCeiling: [] }];

let sequence = 0;
function policy(overrides: Partial<PolicyRow> = {}): PolicyRow {
  sequence += 1;
  return {
    id: `policy-${sequence}`,
    clientId: 'cursor',
    resourceId: 'jira',
    effect: 'allow',
    everyone: true,
    subjectGroupIds: [],
    subjectUserIds: [],
    scopes: ['issues.read'],
    conditions: {},
    status: 'active',
    expiresAt: null,
    ...overrides,
  };
}

const request = { clientId: 'cursor', resourceId: 'jira', user: { id: 'alice', groupIds: [] }, now };

describe('compilePolicies', () => {
  it('should count what it compiled and why it left rows out', () => {
    const rows = [
      policy(),
      policy({ resourceId: 'confluence' }),
      policy({ status: 'draft' }),
      policy({ status: 'disabled' }),
      policy({ expiresAt: now }),
      policy({ clientId: 'retired-agent' }),
      policy({ conditions: { maxLifetimeSeconds: 3600 } }),
    ];

    const index = compilePolicies(rows, clients, { now });

    expect(index.stats).toEqual({ rows: 7, compiled: 2, pairs: 2, skipped: { notActive: 2, expired: 1, unknownClient: 1, invalid: 1 } });
  });

  it('should hold in each pair only that pair policies', () => {
    const jira = policy();
    const confluence = policy({ resourceId: 'confluence' });

    const index = compilePolicies([jira, confluence], clients, { now });

    expect(index.pair('cursor', 'jira')?.policies.map((compiled) => compiled.id)).toEqual([jira.id]);
    expect(index.pair('cursor', 'confluence')?.policies.map((compiled) => compiled.id)).toEqual([confluence.id]);
    expect(index.pair('cursor', 'wiki')).toBeUndefined();
  });

  it('should leave out the policies of a client it was not given, so that client is refused', () => {
    const index = compilePolicies([policy({ clientId: 'retired-agent' })], clients, { now });

    expect(decide(index, { ...request, clientId: 'retired-agent' })).toMatchObject({ allowed: false, code: 'no_policy' });
  });

  it('should drop an allow policy whose time zone is unknown, and report it', () => {
    const rule = policy({ conditions: { timeWindow: { days: ['mon'], start: '09:00', end: '17:00', timeZone: 'Mars/Olympus_Mons' } } });

    const index = compilePolicies([rule], clients, { now });

    expect(index.problems).toEqual([{ policyId: rule.id, reason: 'time zone Mars/Olympus_Mons is not an IANA time zone' }]);
    expect(decide(index, request)).toMatchObject({ allowed: false, code: 'no_policy' });
  });

  it('should keep a deny policy whose time window is malformed, applying it at all times', () => {
    const allow = policy();
    const deny = policy({ effect: 'deny', scopes: [], conditions: { timeWindow: { days: ['sat'], start: '17:00', end: '09:00', timeZone: 'UTC' } } });

    const index = compilePolicies([allow, deny], clients, { now });

    expect(index.problems).toEqual([{ policyId: deny.id, reason: 'time window 17:00–09:00 is not HH:MM with start before end' }]);
    expect(decide(index, request)).toMatchObject({ allowed: false, code: 'denied_by_policy' });
  });

  it('should drop an allow policy with a day that is not a weekday name', () => {
    const rule = policy({ conditions: { timeWindow: { days: ['monday' as 'mon'], start: '09:00', end: '17:00', timeZone: 'UTC' } } });

    expect(compilePolicies([rule], clients, { now }).problems).toEqual([{ policyId: rule.id, reason: 'time window day monday is not one of mon, tue, wed, thu, fri, sat, sun' }]);
  });

  it('should not be affected by changes to the rows after compiling', () => {
    const scopes = ['issues.read'];
    const index = compilePolicies([policy({ scopes })], clients, { now });

    scopes.push('admin.write');

    expect(decide(index, { ...request, requestedScopes: ['admin.write'] })).toMatchObject({ allowed: false });
    expect(index.pair('cursor', 'jira')?.policies[0]?.scopes).toEqual(['issues.read']);
  });
});
