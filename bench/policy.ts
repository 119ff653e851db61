/**
 * `npm run bench:policy`: policy decision time at 1k, 10k and 100k policy rows (about ten rows per
 * app pair, 5,000 users in 3 of 500 groups each), for
 * - `decide` over the per-pair index (target: median ≤ 20 µs at 100k rows, shared/DESIGN.md),
 * - a plain Casbin enforcer holding every row, one rule line per policy row (the baseline),
 * - Casbin enforcers per pair (`casbinReference`), i.e. Casbin itself on the hot path.
 * All three must grant the same scopes for the same requests. No database is needed. The last line
 * printed is one JSON object with the numbers.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

import { type Enforcer, newEnforcer, newModelFromString } from 'casbin';

import {
  casbinReference,
  type ClientRow,
  compilePolicies,
  decide,
  type DecisionRequest,
  type PolicyConditions,
  type PolicyRow,
  type Weekday,
} from '@crossgate/policy';

import { seededRandom } from './support/seeded-random.ts';

const sizes = [1_000, 10_000, 100_000] as const;
const requestCount = 10_000;
/** A plain enforcer scans every row per scope checked, so it gets far fewer requests. */
const baselineRequests: Record<(typeof sizes)[number], number> = { 1_000: 500, 10_000: 100, 100_000: 30 };
const pairCasbinRequests = 2_000;
const userCount = 5_000;
const groupCount = 500;
const scopeCatalogue = ['issues.read', 'issues.write', 'comments.read', 'comments.write', 'files.read', 'files.write', 'admin.read', 'admin.write'];
const zones = ['Europe/Zurich', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland', 'UTC'];
const start = Date.parse('2026-11-23T00:00:00Z');
const week = 7 * 86_400_000;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const { next, pick, some } = seededRandom(42);
const uuid = (): string => {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const users = Array.from({ length: userCount }, () => ({ id: uuid(), groupIds: [] as string[] }));
const groups = Array.from({ length: groupCount }, () => ({ id: uuid(), members: [] as string[] }));
for (const user of users) {
  for (const group of some(groups, 3, 3)) {
    user.groupIds.push(group.id);
    group.members.push(user.id);
  }
}
const groupsById = new Map(groups.map((group) => [group.id, group]));
const usersById = new Map(users.map((user) => [user.id, user]));

interface Dataset {
  rows: PolicyRow[];
  clients: ClientRow[];
  clientIds: string[];
  resourceIds: string[];
}

function conditions(): PolicyConditions {
  const weekdays: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
  return {
    ...(next() < 0.15 ? { timeWindow: { days: weekdays, start: '07:00', end: '20:00', timeZone: pick(zones) } } : {}),
    ...(next() < 0.1 ? { requiredAmr: ['mfa'] } : {}),
    ...(next() < 0.05 ? { requiredAcr: ['phr', 'phrh'] } : {}),
    ...(next() < 0.1 ? { maxLifetimeSeconds: 120 } : {}),
  };
}

/** Ten rows per pair: 100k rows over 100 clients × 100 resources. */
function dataset(size: number): Dataset {
  const pairs = size / 10;
  const clientCount = Math.ceil(Math.sqrt(pairs));
  const resourceCount = Math.ceil(pairs / clientCount);
  const clientIds = Array.from({ length: clientCount }, uuid);
  const resourceIds = Array.from({ length: resourceCount }, uuid);
  const clients = clientIds.map((id) => ({ id, scopeCeiling: next() < 0.5 ? [] : some(scopeCatalogue, 6, 6) }));
  const rows: PolicyRow[] = [];
  for (let i = 0; i < size; i++) {
    const pair = i % pairs;
    const kind = next();
    const deny = next() < 0.06;
    const expiring = next() < 0.05;
    const status = next();
    rows.push({
      id: uuid(),
      clientId: clientIds[Math.floor(pair / resourceCount)] as string,
      resourceId: resourceIds[pair % resourceCount] as string,
      effect: deny ? 'deny' : 'allow',
      everyone: kind < 0.1,
      subjectGroupIds: kind >= 0.1 && kind < 0.75 ? some(groups, 1, 2).map((group) => group.id) : [],
      subjectUserIds: kind >= 0.75 ? some(users, 1, 3).map((user) => user.id) : [],
      scopes: deny ? (next() < 0.5 ? [] : [pick(scopeCatalogue)]) : some(scopeCatalogue, 1, 4),
      conditions: conditions(),
      status: status < 0.92 ? 'active' : status < 0.96 ? 'draft' : 'disabled',
      expiresAt: expiring ? new Date(start + (next() - 0.5) * week) : null,
    });
  }
  return { rows, clients, clientIds, resourceIds };
}

/** Mostly requests a policy can match (a user it names, or a member of a group it names). */
function requests(data: Dataset, count: number): DecisionRequest[] {
  return Array.from({ length: count }, () => {
    const row = pick(data.rows);
    const random = next() < 0.3;
    const group = groupsById.get(pick(row.subjectGroupIds.length > 0 ? row.subjectGroupIds : ['']));
    const userId = random ? pick(users).id : group ? pick(group.members) : row.subjectUserIds.length > 0 ? pick(row.subjectUserIds) : pick(users).id;
    const user = usersById.get(userId) ?? pick(users);
    return {
      clientId: random ? pick(data.clientIds) : row.clientId,
      resourceId: random ? pick(data.resourceIds) : row.resourceId,
      user: { id: user.id, groupIds: user.groupIds },
      ...(next() < 0.7 ? { requestedScopes: next() < 0.5 && row.scopes.length > 0 ? some(row.scopes, 1, 3) : some(scopeCatalogue, 1, 3) } : {}),
      now: new Date(start + Math.floor(next() * week)),
      authentication: { acr: pick(['phr', 'pwd']), amr: next() < 0.5 ? ['pwd', 'mfa'] : ['pwd'] },
    };
  });
}

/** The plain approach: every active row in one enforcer, one line per row, conditions in the matcher. */
const plainModel = `
[request_definition]
r = client, resource, ctx, scope

[policy_definition]
p = client, resource, subjects, scopes, eft, policy

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.client == p.client && r.resource == p.resource && hasScope(p.scopes, r.scope) && namesAny(r.ctx, p.subjects) && applies(r.ctx, p.policy)
`;

interface Baseline {
  enforcer: Enforcer;
  grantedScopes(request: DecisionRequest): string[];
}

async function baseline(data: Dataset, now: Date): Promise<Baseline> {
  const active = data.rows.filter((row) => row.status === 'active' && (!row.expiresAt || row.expiresAt > now));
  const byId = new Map(active.map((row) => [row.id, row]));
  const ceilings = new Map(data.clients.map((client) => [client.id, new Set(client.scopeCeiling)]));
  const formats = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })]));
  const applies = (row: PolicyRow, request: DecisionRequest): boolean => {
    if (row.expiresAt && row.expiresAt <= request.now) {
      return false;
    }
    const window = row.conditions.timeWindow;
    if (window) {
      const parts = Object.fromEntries((formats.get(window.timeZone) as Intl.DateTimeFormat).formatToParts(request.now).map((part) => [part.type, part.value]));
      const time = `${parts['hour']}:${parts['minute']}`;
      if (!window.days.includes(String(parts['weekday']).toLowerCase() as Weekday) || time < window.start || time >= window.end) {
        return false;
      }
    }
    if (row.effect === 'deny') {
      return true;
    }
    const { acr, amr = [] } = request.authentication ?? {};
    const { requiredAcr, requiredAmr } = row.conditions;
    return (!requiredAcr?.length || (acr !== undefined && requiredAcr.includes(acr))) && (!requiredAmr?.length || requiredAmr.every((method) => amr.includes(method)));
  };
  interface Context {
    subjects: Set<string>;
    request: DecisionRequest;
  }
  const enforcer = await newEnforcer(newModelFromString(plainModel));
  await enforcer.addFunction('hasScope', (scopes: string, scope: string) => scopes === '' || scopes.split(' ').includes(scope));
  await enforcer.addFunction('namesAny', (ctx: Context, subjects: string) => subjects.split(' ').some((subject) => ctx.subjects.has(subject)));
  await enforcer.addFunction('applies', (ctx: Context, policyId: string) => applies(byId.get(policyId) as PolicyRow, ctx.request));
  await enforcer.addPolicies(
    active.map((row) => [
      row.clientId,
      row.resourceId,
      [...(row.everyone ? ['*'] : []), ...row.subjectUserIds.map((id) => `user:${id}`), ...row.subjectGroupIds.map((id) => `group:${id}`)].join(' '),
      row.scopes.join(' '),
      row.effect,
      row.id,
    ]),
  );
  return {
    enforcer,
    grantedScopes(request) {
      const ctx: Context = { subjects: new Set(['*', `user:${request.user.id}`, ...request.user.groupIds.map((id) => `group:${id}`)]), request };
      const ceiling = ceilings.get(request.clientId);
      const candidates = request.requestedScopes?.length ? [...new Set(request.requestedScopes)] : scopeCatalogue;
      return candidates.filter((scope) => (!ceiling || ceiling.size === 0 || ceiling.has(scope)) && enforcer.enforceSync(request.clientId, request.resourceId, ctx, scope));
    },
  };
}

function percentiles(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { median: round(at(0.5)), p99: round(at(0.99)) };
}
const round = (value: number) => Math.round(value * 100) / 100;

/** Microseconds per call, one sample per request; `results` keeps what each call returned. */
function time<T, R>(inputs: readonly T[], run: (input: T) => R, results?: Map<T, R>): number[] {
  return inputs.map((input) => {
    const began = process.hrtime.bigint();
    const answer = run(input);
    const elapsed = Number(process.hrtime.bigint() - began) / 1000;
    results?.set(input, answer);
    return elapsed;
  });
}

const sameScopes = (a: readonly string[], b: readonly string[]) => [...a].sort().join(' ') === [...b].sort().join(' ');

const result: Record<string, unknown> = { bench: 'policy', rows: {} };
let mismatches = 0;
let checked = 0;
let checkedWithPlain = 0;
const began = Date.now();
for (const size of sizes) {
  const data = dataset(size);
  const now = new Date(start);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const compileStart = performance.now();
  const index = compilePolicies(data.rows, data.clients, { now });
  const compileMs = performance.now() - compileStart;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

  const asked = requests(data, requestCount);
  time(asked, (request) => decide(index, request)); // warm-up
  const ours = percentiles(time(asked, (request) => decide(index, request)));
  const codes: Record<string, number> = {};
  for (const request of asked) {
    const code = decide(index, request).code;
    codes[code] = (codes[code] ?? 0) + 1;
  }

  const loadStart = performance.now();
  const plain = await baseline(data, now);
  const loadMs = performance.now() - loadStart;
  const plainAsked = asked.slice(0, baselineRequests[size]);
  const plainGrants = new Map<DecisionRequest, string[]>();
  const plainTimes = percentiles(time(plainAsked, (request) => plain.grantedScopes(request), plainGrants));

  const pairAsked = asked.slice(0, pairCasbinRequests);
  const references = new Map<string, Awaited<ReturnType<typeof casbinReference>>>();
  for (const request of pairAsked) {
    const key = `${request.clientId} ${request.resourceId}`;
    if (!references.has(key)) {
      references.set(key, await casbinReference(index, request.clientId, request.resourceId));
    }
  }
  const referenceOf = (request: DecisionRequest) => references.get(`${request.clientId} ${request.resourceId}`);
  time(pairAsked, (request) => referenceOf(request)?.grantedScopes(request)); // warm-up
  const pairTimes = percentiles(time(pairAsked, (request) => referenceOf(request)?.grantedScopes(request)));

  for (const request of pairAsked) {
    const granted = decide(index, request).grantedScopes;
    const reference = referenceOf(request)?.grantedScopes(request) ?? [];
    const plainGrant = plainGrants.get(request) ?? reference;
    checked += 1;
    checkedWithPlain += plainGrants.has(request) ? 1 : 0;
    if (!sameScopes(granted, reference) || !sameScopes(granted, plainGrant)) {
      mismatches += 1;
      console.log('MISMATCH', JSON.stringify({ request, granted, reference, plainGrant }));
    }
  }

  console.log(
    `${size} rows: ${index.stats.pairs} pairs, compile ${compileMs.toFixed(0)} ms, index heap ${heapMb.toFixed(1)} MB | ` +
      `decide median ${ours.median} µs p99 ${ours.p99} µs (${requestCount} requests) | ` +
      `per-pair Casbin median ${pairTimes.median} µs p99 ${pairTimes.p99} µs (${pairAsked.length}) | ` +
      `plain Casbin median ${plainTimes.median} µs p99 ${plainTimes.p99} µs (${plainAsked.length}, load ${loadMs.toFixed(0)} ms) | codes ${JSON.stringify(codes)}`,
  );
  (result['rows'] as Record<string, unknown>)[String(size)] = {
    median_us: ours.median,
    p99_us: ours.p99,
    pair_casbin_median_us: pairTimes.median,
    baseline_median_us: plainTimes.median,
    baseline_p99_us: plainTimes.p99,
    compile_ms: Math.round(compileMs),
    heap_mb: round(heapMb),
  };
  if (size === 100_000) {
    result['compile_ms_100k'] = Math.round(compileMs);
    result['heap_mb_100k'] = round(heapMb);
  }
}
result['agreement'] = { checked, with_plain_casbin: checkedWithPlain, mismatches };
result['total_s'] = round((Date.now() - began) / 1000);
console.log(JSON.stringify(result));
process.exitCode = mismatches > 0 ? 1 : 0;
