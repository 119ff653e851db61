/**
 * `crossgate`: the command line for admins and automation, over the admin API with an API token.
 *
 *   crossgate connections rotate <connection id>   rotate now and follow it to the end
 *   crossgate connections rotation <connection id> show where the rotation stands
 *   crossgate kill <scope> <target…> --reason …    fire a kill switch, show its blast radius, follow
 *                                                  its fan-out to the end (and lift, approve, …)
 *   crossgate campaign verify <file>               recompute an access-review evidence pack's SHA-256
 *                                                  and check it against the audit log's record
 *   crossgate policy export|plan|apply             the policy set as YAML: write it out, show what a
 *                                                  file would change and its access impact, apply it
 *
 * Environment: CROSSGATE_URL (default http://localhost:3000) and CROSSGATE_TOKEN (an API token, sent
 * as a Bearer token). Progress is a bar on a terminal and one line per change otherwise. Exit codes:
 * 0 done, 1 the rotation failed, a kill switch's delivery was dead-lettered or an evidence pack does
 * not match what the audit log recorded, 2 usage or API error.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

const usage = `usage: crossgate connections rotate <connection-id> [--timeout <seconds>]
       crossgate connections rotation <connection-id>
       crossgate kill <scope> <target> --reason <why> [--expires <2h|30m|1d|ISO time>] [--dry-run] [--no-watch] [--timeout <seconds>]
       crossgate kill list [--state active|pending_approval|lifted|expired|rejected]
       crossgate kill show <switch-id>
       crossgate kill lift <switch-id> [--reason <why>]
       crossgate kill approve <switch-id>
       crossgate kill reject <switch-id> --reason <why>
       crossgate kill redrive <switch-id>
       crossgate campaign verify <evidence-pack.csv|json>
       crossgate policy export [-o <file.yaml>]
       crossgate policy plan -f <file.yaml>
       crossgate policy apply -f <file.yaml> [--direct]
scopes and targets (an id, or the name shown):
       user <user id | email>   client <client id | client_id>   resource <resource id | slug>
       app-pair <client> <resource>   connection <connection id>   idp <idp id | issuer>   everything
environment: CROSSGATE_URL (default http://localhost:3000), CROSSGATE_TOKEN (an API token)
`;

interface RotationView {
  status: 'idle' | 'rotating' | 'failed';
  jobId: string | null;
  step: string | null;
  progress: number;
  error: string | null;
  lastRotatedAt: string | null;
  nextRotationAt: string | null;
}

class CliError extends Error {}
/** A command line that cannot be run as written: usage on stderr, exit code 2. */
class UsageError extends CliError {}

function settings() {
  const token = process.env['CROSSGATE_TOKEN'];
  if (!token) {
    throw new CliError('Set CROSSGATE_TOKEN to an API token (Settings → API tokens in the admin UI).');
  }
  return { baseUrl: (process.env['CROSSGATE_URL'] ?? 'http://localhost:3000').replace(/\/+$/, ''), token };
}

async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { baseUrl, token } = settings();
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new CliError(`Crossgate at ${baseUrl} does not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text.slice(0, 300);
    try {
      const problem = JSON.parse(text) as { message?: string; detail?: string; error_description?: string };
      detail = problem.message ?? problem.detail ?? problem.error_description ?? detail;
    } catch {
      // Not JSON: show the start of the body.
    }
    throw new CliError(`${method} ${path} answered ${response.status}: ${detail}`);
  }
  return JSON.parse(text) as T;
}

/** `[#####-----]  50% label`: a percentage as a terminal bar. */
function bar(percent: number, label: string, width = 30): string {
  const filled = Math.round((Math.min(Math.max(percent, 0), 100) / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(percent)).padStart(3)}% ${label}`;
}

/** Prints a progress line when it changes: in place on a terminal, one line per change otherwise. */
function progressPrinter(): { show: (line: string) => void; end: () => void } {
  const tty = process.stdout.isTTY === true;
  let last = '';
  return {
    show(line: string) {
      if (line !== last) {
        process.stdout.write(tty ? `\r${line}` : `${line}\n`);
        last = line;
      }
    },
    end() {
      if (tty && last !== '') {
        process.stdout.write('\n');
      }
    },
  };
}

async function rotate(connectionId: string, timeoutSeconds: number): Promise<number> {
  const { jobId } = await api<{ jobId: string }>('POST', `/api/connections/${encodeURIComponent(connectionId)}/rotate`);
  const tty = process.stdout.isTTY === true;
  process.stdout.write(`Rotation of connection ${connectionId} queued as job ${jobId}\n`);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const printer = progressPrinter();
  for (;;) {
    const view = await api<RotationView>('GET', `/api/connections/${encodeURIComponent(connectionId)}/rotation`);
    // Until the worker takes the job, the state is the previous rotation's: shown as queued.
    const ours = view.jobId === jobId;
    const shown: RotationView = ours ? view : { ...view, status: 'rotating', step: 'queued', progress: 0 };
    printer.show(tty ? bar(shown.progress, shown.step ?? '') : `${shown.status} ${shown.step ?? '-'} ${shown.progress}%`);
    if (ours && view.status === 'failed') {
      printer.end();
      process.stdout.write(`Rotation failed: ${view.error ?? 'no reason recorded'} (the worker retries with backoff; the old credential stays active)\n`);
      return 1;
    }
    if (ours && view.status === 'idle' && view.step === 'done') {
      printer.end();
      process.stdout.write(`Rotated at ${view.lastRotatedAt}; next rotation ${view.nextRotationAt ?? 'not scheduled'}\n`);
      return 0;
    }
    if (Date.now() > deadline) {
      printer.end();
      process.stdout.write(`Still ${view.status} at ${view.step ?? '-'} after ${timeoutSeconds} s; see GET /api/connections/${connectionId}/rotation\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface KillSwitchView {
  id: string;
  scope: string;
  state: string;
  reason: string;
  targetLabel: string;
  requiresApproval: boolean;
  createdBy: string;
  activatedAt: string | null;
  expiresAt: string | null;
  tokensRevoked: number;
  liftRequestedAt: string | null;
  progress: { total: number; pending: number; delivered: number; failed: number; deadLettered: number; lastAckMs: number | null; done: boolean };
}

interface BlastRadius {
  targetLabel: string;
  requiresApproval: boolean;
  tokens: { idJag: number; accessToken: number; total: number };
  users: number;
  agents: number;
  connections: { total: number; vaultedSecrets: number };
  stsConsents: number;
  receivers: number;
  deliveries: { total: number };
}

/** A kill switch's scope on the command line, the API's scope, and the references it takes. */
const killScopes = {
  user: { scope: 'user', targets: ['userId'] },
  client: { scope: 'client', targets: ['clientId'] },
  agent: { scope: 'client', targets: ['clientId'] },
  resource: { scope: 'resource', targets: ['resourceId'] },
  'app-pair': { scope: 'app_pair', targets: ['clientId', 'resourceId'] },
  connection: { scope: 'connection', targets: ['connectionId'] },
  idp: { scope: 'idp', targets: ['idpId'] },
  everything: { scope: 'everything', targets: [] },
} as const;
type TargetField = 'userId' | 'clientId' | 'resourceId' | 'connectionId' | 'idpId';

/** Where a name is looked up, and which of a record's fields must equal it exactly. */
const lookups: Record<TargetField, { path: string; exact: string[] }> = {
  userId: { path: '/api/users', exact: ['email', 'subject'] },
  clientId: { path: '/api/clients', exact: ['clientId', 'name'] },
  resourceId: { path: '/api/resources', exact: ['slug', 'name'] },
  connectionId: { path: '/api/connections', exact: ['name'] },
  idpId: { path: '/api/trusted-idps', exact: ['issuer', 'name'] },
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id as given, or the one record whose natural key (email, client_id, slug, issuer) is `reference`. */
async function resolve(field: TargetField, reference: string): Promise<string> {
  if (uuidPattern.test(reference)) {
    return reference;
  }
  const { path, exact } = lookups[field];
  const found = await api<Record<string, unknown>[]>('GET', `${path}?${new URLSearchParams({ filter: JSON.stringify({ q: reference }), range: JSON.stringify([0, 49]) })}`);
  const matches = found.filter((record) => exact.some((key) => typeof record[key] === 'string' && (record[key] as string).toLowerCase() === reference.toLowerCase()));
  if (matches.length !== 1) {
    throw new CliError(
      matches.length === 0 ? `No ${path.split('/').pop()} matches "${reference}" (give its id, or one of: ${exact.join(', ')})` : `"${reference}" matches ${matches.length} ${path.split('/').pop()}; give the id`,
    );
  }
  return matches[0]!['id'] as string;
}

/** `2h`, `30m`, `1d` from now, or an ISO 8601 instant, as an ISO instant. */
function expiryOf(value: string, now = Date.now()): string {
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now + Number(relative[1]) * unit).toISOString();
  }
  const instant = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(instant)) {
    throw new UsageError(`--expires takes 30m, 2h, 1d or an ISO 8601 time (got "${value}")`);
  }
  return new Date(instant).toISOString();
}

/** `--name value` and `--flag` options after the positional arguments. */
function options(args: string[], valued: readonly string[], flags: readonly string[]): { positional: string[]; values: Map<string, string>; set: Set<string> } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const set = new Set<string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (valued.includes(arg)) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new UsageError(`${arg} needs a value`);
      }
      values.set(arg, value);
      index += 1;
    } else if (flags.includes(arg)) {
      set.add(arg);
    } else if (arg.startsWith('--')) {
      throw new UsageError(`Unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { positional, values, set };
}

function describeBlastRadius(radius: BlastRadius): string {
  return [
    `Blast radius of a switch on ${radius.targetLabel}:`,
    `  live tokens       ${radius.tokens.total} (${radius.tokens.idJag} ID-JAGs, ${radius.tokens.accessToken} access tokens)`,
    `  users             ${radius.users}`,
    `  agents            ${radius.agents}`,
    `  connections       ${radius.connections.total} (${radius.connections.vaultedSecrets} vaulted secrets to rotate or disable)`,
    `  STS consents      ${radius.stsConsents}`,
    `  SSF receivers     ${radius.receivers}`,
    `  deliveries        ${radius.deliveries.total}`,
    ...(radius.requiresApproval ? ['  two-person rule   a second it-admin or incident-responder must approve'] : []),
    '',
  ].join('\n');
}

function describeSwitch(view: KillSwitchView): string {
  const { progress } = view;
  return [
    `${view.id}  ${view.state}  ${view.scope} ${view.targetLabel}`,
    `  reason     ${view.reason}`,
    `  by         ${view.createdBy}${view.activatedAt === null ? '' : `, in force since ${view.activatedAt}`}`,
    `  expires    ${view.expiresAt ?? 'never (until lifted)'}`,
    `  fan-out    ${progress.delivered}/${progress.total} delivered, ${progress.pending + progress.failed} in progress, ${progress.deadLettered} dead-lettered; ${view.tokensRevoked} tokens revoked`,
    '',
  ].join('\n');
}

/** Follows the switch's fan-out until every receipt line has ended; 1 when any was dead-lettered. */
async function watch(id: string, timeoutSeconds: number): Promise<number> {
  const tty = process.stdout.isTTY === true;
  const printer = progressPrinter();
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const view = await api<KillSwitchView>('GET', `/api/kill-switches/${encodeURIComponent(id)}`);
    const { progress } = view;
    const ended = progress.delivered + progress.deadLettered;
    const percent = progress.total === 0 ? (progress.done ? 100 : 0) : (ended / progress.total) * 100;
    const label = progress.total === 0 && !progress.done ? 'planning the fan-out' : `${ended}/${progress.total} lines ended, ${progress.deadLettered} dead-lettered`;
    printer.show(tty ? bar(percent, label) : `fan-out ${progress.delivered} delivered, ${progress.pending + progress.failed} in progress, ${progress.deadLettered} dead-lettered of ${progress.total}`);
    if (progress.done) {
      printer.end();
      process.stdout.write(
        progress.deadLettered === 0
          ? `Fan-out complete: ${progress.delivered} deliveries acknowledged${progress.lastAckMs === null ? '' : ` within ${progress.lastAckMs} ms`}, ${view.tokensRevoked} tokens revoked\n`
          : `Fan-out ended with ${progress.deadLettered} dead-lettered deliveries: see crossgate kill show ${id}, then crossgate kill redrive ${id}\n`,
      );
      return progress.deadLettered === 0 ? 0 : 1;
    }
    if (Date.now() > deadline) {
      printer.end();
      process.stdout.write(`The switch is in force; its fan-out is still running after ${timeoutSeconds} s: crossgate kill show ${id}\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function kill(args: string[]): Promise<number> {
  const [command = '', ...rest] = args;
  const path = (id: string, action = '') => `/api/kill-switches/${encodeURIComponent(id)}${action}`;
  const one = (parsed: { positional: string[] }) => {
    if (parsed.positional.length !== 1) {
      throw new UsageError(`crossgate kill ${command} takes one kill switch id`);
    }
    return parsed.positional[0]!;
  };
  switch (command) {
    case 'list': {
      const parsed = options(rest, ['--state'], []);
      const state = parsed.values.get('--state');
      const query = new URLSearchParams({ sort: JSON.stringify(['requestedAt', 'DESC']), range: JSON.stringify([0, 99]), ...(state === undefined ? {} : { filter: JSON.stringify({ state }) }) });
      const views = await api<KillSwitchView[]>('GET', `/api/kill-switches?${query}`);
      process.stdout.write(views.length === 0 ? 'No kill switches\n' : views.map(describeSwitch).join(''));
      return 0;
    }
    case 'show': {
      const view = await api<KillSwitchView>('GET', path(one(options(rest, [], []))));
      process.stdout.write(describeSwitch(view));
      return 0;
    }
    case 'lift': {
      const parsed = options(rest, ['--reason'], []);
      const reason = parsed.values.get('--reason');
      const view = await api<KillSwitchView>('POST', path(one(parsed), '/lift'), reason === undefined ? {} : { reason });
      process.stdout.write(view.state === 'active' ? `Lift requested: it waits for a second admin (crossgate kill approve ${view.id})\n` : `Lifted: ${view.scope} ${view.targetLabel}\n`);
      return 0;
    }
    case 'approve': {
      const view = await api<KillSwitchView>('POST', path(one(options(rest, [], [])), '/approve'));
      process.stdout.write(`Approved: ${view.id} is ${view.state}\n`);
      return 0;
    }
    case 'reject': {
      const parsed = options(rest, ['--reason'], []);
      const view = await api<KillSwitchView>('POST', path(one(parsed), '/reject'), { reason: parsed.values.get('--reason') ?? '' });
      process.stdout.write(`Turned down: ${view.id} is ${view.state}\n`);
      return 0;
    }
    case 'redrive': {
      const redriven = await api<{ redriven: number }>('POST', path(one(options(rest, [], [])), '/redrive'));
      process.stdout.write(`${redriven.redriven} dead-lettered deliveries queued again\n`);
      return 0;
    }
    default:
      return fire(command, rest);
  }
}

async function fire(scopeName: string, args: string[]): Promise<number> {
  if (!(scopeName in killScopes)) {
    throw new UsageError(scopeName === '' ? 'crossgate kill needs a scope or a command' : `Unknown kill switch scope or command "${scopeName}"`);
  }
  const { scope, targets } = killScopes[scopeName as keyof typeof killScopes];
  const parsed = options(args, ['--reason', '--expires', '--timeout'], ['--dry-run', '--watch', '--no-watch']);
  if (parsed.positional.length !== targets.length) {
    throw new UsageError(`crossgate kill ${scopeName} takes ${targets.length === 0 ? 'no target' : targets.map((field) => `<${field.replace(/Id$/, '')}>`).join(' ')}`);
  }
  const reason = parsed.values.get('--reason');
  const dryRun = parsed.set.has('--dry-run');
  if (!dryRun && (reason === undefined || reason.trim().length < 3)) {
    throw new UsageError('--reason is required: say why, for the audit log and the people it stops');
  }
  const timeout = Number(parsed.values.get('--timeout') ?? 300);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UsageError('--timeout takes a number of seconds');
  }
  const expires = parsed.values.get('--expires');
  const expiresAt = expires === undefined ? undefined : expiryOf(expires);
  const target: Record<string, string> = { scope };
  for (const [index, field] of targets.entries()) {
    target[field] = await resolve(field, parsed.positional[index]!);
  }

  process.stdout.write(describeBlastRadius(await api<BlastRadius>('POST', '/api/kill-switches/preview', target)));
  if (dryRun) {
    return 0;
  }
  const view = await api<KillSwitchView>('POST', '/api/kill-switches', { ...target, reason, ...(expiresAt === undefined ? {} : { expiresAt }) });
  if (view.state === 'pending_approval') {
    process.stdout.write(`Kill switch ${view.id} waits for a second admin's approval: crossgate kill approve ${view.id}\n`);
    return 0;
  }
  process.stdout.write(`Kill switch ${view.id} is in force: nothing covered is issued from now on${view.expiresAt === null ? '' : ` (until ${view.expiresAt})`}\n`);
  return parsed.set.has('--no-watch') ? 0 : watch(view.id, timeout);
}

interface RecordedExport {
  seq: string;
  at: string;
  format: string;
  sha256: string;
  items: number;
}

/** The campaign an evidence pack is of: the JSON's `campaign.id`, or the CSV's first `campaign_id` cell. */
function campaignOfPack(text: string): string {
  const csv = /^campaign_id,[^\r\n]*\r?\n"([0-9a-f-]{36})"/i.exec(text);
  const json = /^\{"campaign":\{"id":"([0-9a-f-]{36})"/i.exec(text);
  const id = csv?.[1] ?? json?.[1];
  if (id === undefined) {
    throw new CliError('This is not an access-review evidence pack (no campaign id where the export writes it)');
  }
  return id;
}

/** Recomputes the pack's SHA-256 and looks for the `campaign.exported` audit event that recorded it. */
async function verifyCampaignPack(file: string): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  const campaignId = campaignOfPack(bytes.toString('utf8'));
  const recorded = await api<RecordedExport[]>('GET', `/api/access-reviews/campaigns/${encodeURIComponent(campaignId)}/exports`);
  const match = recorded.find((entry) => entry.sha256 === digest);
  if (match === undefined) {
    process.stdout.write(`NOT VERIFIED ${file}: sha256 ${digest} matches none of the ${recorded.length} exports the audit log recorded for campaign ${campaignId}\n`);
    return 1;
  }
  process.stdout.write(`verified ${file}: sha256 ${digest} is campaign ${campaignId}'s ${match.format} export of ${match.items} items, audit event #${match.seq} at ${match.at}\n`);
  return 0;
}

interface PlannedChange {
  kind: string;
  key: string;
  action: 'create' | 'update' | 'delete';
  fields?: string[];
  via?: 'direct' | 'approval';
}

interface PolicySetPlan {
  changes: PlannedChange[];
  impact: { client: string; resource: string; totals: { gained: number; lost: number; changed: number }; gained: ImpactEntry[]; lost: ImpactEntry[]; changed: ImpactEntry[] }[];
  summary: string;
  approvalRequests?: { policy: string; approvalId: string }[];
}

interface ImpactEntry {
  user: { email: string | null; displayName: string | null; id: string };
  before: string[];
  after: string[];
}

/** A plan as a diff people read: `+` created, `~` changed (with the fields), `-` deleted, then who gains and loses. */
function describePlan(plan: PolicySetPlan): string {
  const sign = { create: '+', update: '~', delete: '-' } as const;
  const lines = plan.changes.map((change) => {
    const fields = change.fields === undefined ? '' : ` (${change.fields.join(', ')})`;
    const approval = change.via === 'approval' ? '  [needs a second it-admin]' : '';
    return `${sign[change.action]} ${change.kind} ${change.key}${fields}${approval}`;
  });
  const who = (entry: ImpactEntry) => entry.user.email ?? entry.user.displayName ?? entry.user.id;
  for (const pair of plan.impact) {
    lines.push(`access at ${pair.client} → ${pair.resource}:`);
    const scopes = (list: string[]) => [...list].sort().join(' ');
    lines.push(...pair.gained.map((entry) => `  gains   ${who(entry)}  ${scopes(entry.after)}`));
    lines.push(...pair.lost.map((entry) => `  loses   ${who(entry)}  ${scopes(entry.before)}`));
    lines.push(...pair.changed.map((entry) => `  changes ${who(entry)}  ${scopes(entry.before)} → ${scopes(entry.after)}`));
  }
  return `${[...lines, plan.summary].join('\n')}\n`;
}

async function readPolicySet(file: string | undefined): Promise<unknown> {
  if (file === undefined) {
    throw new UsageError('-f <file.yaml> names the policy set');
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new CliError(`${file} is not YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function policy(args: string[]): Promise<number> {
  const [command = '', ...rest] = args;
  switch (command) {
    case 'export': {
      const parsed = options(rest, ['-o'], []);
      const yaml = stringifyYaml(await api<unknown>('GET', '/api/policy-set'), { lineWidth: 0 });
      const file = parsed.values.get('-o');
      if (file === undefined) {
        process.stdout.write(yaml);
      } else {
        await writeFile(file, yaml);
        process.stderr.write(`Wrote the policy set to ${file}\n`);
      }
      return 0;
    }
    case 'plan': {
      const parsed = options(rest, ['-f'], []);
      process.stdout.write(describePlan(await api<PolicySetPlan>('POST', '/api/policy-set/plan', await readPolicySet(parsed.values.get('-f')))));
      return 0;
    }
    case 'apply': {
      const parsed = options(rest, ['-f'], ['--direct']);
      const direct = parsed.set.has('--direct');
      const applied = await api<PolicySetPlan>('POST', `/api/policy-set/apply${direct ? '?direct=true' : ''}`, await readPolicySet(parsed.values.get('-f')));
      process.stdout.write(describePlan(applied));
      for (const request of applied.approvalRequests ?? []) {
        process.stdout.write(`approval requested for ${request.policy}: ${request.approvalId} (another it-admin decides it in Approvals)\n`);
      }
      return 0;
    }
    default:
      throw new UsageError(command === '' ? 'crossgate policy needs export, plan or apply' : `Unknown policy command "${command}"`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [group, command, id, ...rest] = argv;
  if (group === 'kill') {
    return kill(argv.slice(1));
  }
  if (group === 'policy') {
    return policy(argv.slice(1));
  }
  if (group === 'campaign') {
    if (command !== 'verify' || !id || rest.length > 0) {
      throw new UsageError('campaign verify takes one file');
    }
    return verifyCampaignPack(id);
  }
  if (group !== 'connections' || (command !== 'rotate' && command !== 'rotation') || !id) {
    process.stderr.write(usage);
    return 2;
  }
  if (command === 'rotation') {
    process.stdout.write(`${JSON.stringify(await api<RotationView>('GET', `/api/connections/${encodeURIComponent(id)}/rotation`), null, 2)}\n`);
    return 0;
  }
  const timeoutIndex = rest.indexOf('--timeout');
  const timeout = timeoutIndex >= 0 ? Number(rest[timeoutIndex + 1]) : 300;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    process.stderr.write(usage);
    return 2;
  }
  return rotate(id, timeout);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`crossgate: ${error.message}\n${usage}`);
      process.exit(2);
    }
    process.stderr.write(`crossgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
