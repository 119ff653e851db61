import { casbinReference, casbinRules } from './casbin.ts';
import { compilePolicies } from './compile.ts';
import { decide } from './decide.ts';
import { type DecisionRequest } from './decision.ts';
import { type ClientRow, type PolicyConditions, type PolicyRow, weekdays } from './rows.ts';

const now = new Date('2026-11-23T10:00:00Z');

/** mulberry32: a seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('casbinRules', () => {
  it('should write one line per subject and scope, and an empty scope for a deny of the whole pair', () => {
    const rows: PolicyRow[] = [
      { id: 'p1', clientId: 'c', resourceId: 'r', effect: 'allow', everyone: false, subjectGroupIds: ['g'], subjectUserIds: ['u'], scopes: ['a', 'b'], conditions: {}, status: 'active', expiresAt: null },
      { id: 'p2', clientId: 'c', resourceId: 'r', effect: 'deny', everyone: true, subjectGroupIds: [], subjectUserIds: [], scopes: [], conditions: {}, status: 'active', expiresAt: null },
    ];
    const pair = compilePolicies(rows, [{ id: 'c', scopeCeiling: [] }], { now }).pair('c', 'r');

    expect(pair && casbinRules(pair)).toEqual([
      ['user:u', 'a', 'allow', 'p1'],
      ['user:u', 'b', 'allow', 'p1'],
      ['group:g', 'a', 'allow', 'p1'],
      ['group:g', 'b', 'allow', 'p1'],
      ['*', '', 'deny', 'p2'],
    ]);
  });
});

describe('casbinReference', () => {
  it('should grant exactly what decide grants, for random policies and requests', async () => {
    const next = random(20261123);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const some = <T>(items: readonly T[], max: number): T[] => [...new Set(Array.from({ length: Math.floor(next() * (max + 1)) }, () => pick(items)))];
    const scopes = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const users = Array.from({ length: 12 }, (_, i) => `u${i}`);
    const strangers = Array.from({ length: 12 }, (_, i) => `stranger${i}`);
    const groups = Array.from({ length: 6 }, (_, i) => `g${i}`);
    const zones = ['UTC', 'Europe/Zurich', 'Pacific/Auckland', 'America/Los_Angeles'];
    const conditions = (): PolicyConditions => ({
      ...(next() < 0.3 ? { timeWindow: { days: some(weekdays, 5).concat('mon'), start: pick(['00:00', '08:00', '12:00']), end: pick(['13:00', '18:00', '23:59']), timeZone: pick(zones) } } : {}),
      ...(next() < 0.2 ? { requiredAcr: some(['phr', 'phrh', 'pwd'], 2).concat('phr') } : {}),
      ...(next() < 0.2 ? { requiredAmr: some(['mfa', 'hwk', 'pwd'], 2).concat('mfa') } : {}),
    });
    const rows: PolicyRow[] = Array.from({ length: 400 }, (_, i) => ({
      id: `p${i}`,
      clientId: pick(['c1', 'c2', 'c3']),
      resourceId: pick(['r1', 'r2', 'r3']),
      effect: next() < 0.15 ? 'deny' : 'allow',
      everyone: next() < 0.1,
      subjectGroupIds: some(groups, 2),
      subjectUserIds: some(users, 2),
      scopes: some(scopes, 3),
      conditions: conditions(),
      status: next() < 0.9 ? 'active' : 'draft',
      expiresAt: next() < 0.1 ? new Date(now.getTime() + Math.floor(next() * 14 * 86_400_000)) : null,
    }));
    const clients: ClientRow[] = [
      { id: 'c1', scopeCeiling: [] },
      { id: 'c2', scopeCeiling: ['s1', 's2', 's3', 's4'] },
      { id: 'c3', scopeCeiling: ['s2', 's5'] },
    ];
    const index = compilePolicies(rows, clients, { now });

    const outcomes = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const request: DecisionRequest = {
        clientId: pick(['c1', 'c2', 'c3']),
        resourceId: pick(['r1', 'r2', 'r3', 'r4']),
        user: { id: pick(users.concat(strangers)), groupIds: some(groups, 3) },
        ...(next() < 0.7 ? { requestedScopes: some(scopes, 4) } : {}),
        now: new Date(now.getTime() + Math.floor(next() * 14 * 86_400_000)),
        authentication: { acr: pick(['phr', 'phrh', 'pwd']), amr: some(['mfa', 'hwk', 'pwd'], 3) },
      };
      const reference = await casbinReference(index, request.clientId, request.resourceId);
      const decision = decide(index, request);

      expect({ request, granted: [...decision.grantedScopes].sort() }).toEqual({ request, granted: reference?.grantedScopes(request).sort() ?? [] });
      expect(decision.allowed).toBe(decision.grantedScopes.length > 0);
      outcomes.add(decision.code);
    }
    // The random set must exercise every outcome, or agreement proves little.
    expect([...outcomes].sort()).toEqual(['allowed', 'denied_by_policy', 'no_allowed_scope', 'no_policy', 'outside_time_window', 'step_up_required']);
  });
});
