/**
 * `crossgate kill` as a responder runs it, against a real API and worker process: it shows the blast
 * radius, fires, follows the fan-out to the end (exit 0), reports dead-lettered deliveries (exit 1) and
 * re-drives them, resolves targets by their names, honours the two-person rule, lifts, and refuses a
 * command line it cannot run with the usage and exit code 2.
 */
import { fileURLToPath } from 'node:url';

import { type CommandResult, createAdmin, eventually, runCrossgateCli, SetReceiver, startWorkerProcess, stopWorkerProcess, type TestAdmin, unique, type WorkerProcess } from '@crossgate/testing';
import { startTestApi, type TestApi } from './support/test-api.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

let api: TestApi;
let worker: WorkerProcess;
let responder: TestAdmin;
let secondResponder: TestAdmin;
let receiver: SetReceiver;
const streamIds: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  worker = startWorkerProcess(api.config, { KILL_SWITCH_RETRY_DELAY_MS: '50', KILL_SWITCH_DELIVERY_ATTEMPTS: '2', KILL_SWITCH_RECONCILE_SECONDS: '3600', LOG_LEVEL: 'warn' });
  responder = await createAdmin(api.prisma, 'incident-responder');
  secondResponder = await createAdmin(api.prisma, 'it-admin');
  receiver = await SetReceiver.start();
  streamIds.push((await api.prisma.ssfStream.create({ data: { audience: ['https://siem.example.test'], endpointUrl: receiver.url, eventsRequested: [sessionRevoked], createdBy: 'tests' } })).id);
}, 60_000);

afterAll(async () => {
  await api.prisma.ssfStream.updateMany({ where: { id: { in: streamIds } }, data: { deletedAt: new Date(), status: 'disabled' } });
  await api.prisma.killSwitch.updateMany({ where: { state: { in: ['active', 'pending_approval'] }, reason: { startsWith: 'CLI:' } }, data: { state: 'lifted', liftedAt: new Date() } });
  await stopWorkerProcess(worker);
  await receiver.close();
  await api.close();
});

function crossgate(args: string[], token = responder.token): Promise<CommandResult> {
  return runCrossgateCli({ repositoryRoot, baseUrl: api.baseUrl, token }, args);
}

async function agent(): Promise<{ id: string; clientId: string }> {
  const clientId = unique('cli-agent');
  const row = await api.prisma.client.create({ data: { clientId, name: unique('CLI agent'), kind: 'ai_agent', owner: 'soc@bank.example', authMethod: 'client_secret_basic' } });
  return { id: row.id, clientId };
}

const switchIdOf = (stdout: string) => /Kill switch ([0-9a-f-]{36})/.exec(stdout)?.[1];

describe('crossgate kill', () => {
  it('should show the blast radius, fire a switch on an agent named by its client_id, and follow the fan-out until every push is acknowledged', async () => {
    const target = await agent();

    const run = await crossgate(['kill', 'agent', target.clientId, '--reason', 'CLI: agent exfiltrating notes', '--expires', '2h']);

    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('Blast radius of a switch on');
    expect(run.stdout).toMatch(/SSF receivers\s+\d+/);
    expect(run.stdout).toContain('is in force');
    expect(run.stdout).toMatch(/Fan-out complete: \d+ deliveries acknowledged/);
    const id = switchIdOf(run.stdout)!;
    const record = await api.prisma.killSwitch.findUniqueOrThrow({ where: { id } });
    expect(record).toMatchObject({ scope: 'client', clientId: target.id, state: 'active', reason: 'CLI: agent exfiltrating notes', createdBy: responder.email });
    // --expires 2h: two hours from the command, give or take the run.
    expect(Math.abs(record.expiresAt!.getTime() - Date.now() - 2 * 3_600_000)).toBeLessThan(120_000);
    // The unbound stream heard of it once, signed for this switch's transaction.
    expect(receiver.accepted(id)).toHaveLength(1);

    const listed = await crossgate(['kill', 'list', '--state', 'active']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);

    const lifted = await crossgate(['kill', 'lift', id, '--reason', 'CLI: contained']);
    expect(lifted).toMatchObject({ code: 0 });
    expect(lifted.stdout).toContain('Lifted');
    expect(await api.prisma.killSwitch.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'lifted', liftedBy: responder.email });
  }, 120_000);

  it('should exit 1 naming the dead-lettered deliveries, and queue them again on redrive', async () => {
    const down = await SetReceiver.start(() => ({ status: 503 }));
    const slug = unique('cli-res').toLowerCase();
    const resource = await api.prisma.resource.create({ data: { slug, name: unique('CLI resource'), authorizationServer: `https://${slug}.example.test`, resourceIndicators: [`https://${slug}.example.test/api`], scopes: [], owner: 'soc@bank.example' } });
    streamIds.push((await api.prisma.ssfStream.create({ data: { audience: [`https://${slug}.example.test`], endpointUrl: down.url, eventsRequested: [sessionRevoked], resourceId: resource.id, createdBy: 'tests' } })).id);
    try {
      const run = await crossgate(['kill', 'resource', slug, '--reason', 'CLI: resource compromised']);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('1 dead-lettered deliveries');
      const id = switchIdOf(run.stdout)!;
      expect(down.pushesOf(id)).toHaveLength(2);

      down.behaviour = () => ({ status: 202 });
      const redriven = await crossgate(['kill', 'redrive', id]);
      expect(redriven).toMatchObject({ code: 0 });
      expect(redriven.stdout).toContain('1 dead-lettered deliveries queued again');
      await eventually('the re-driven push', () => Promise.resolve(down.accepted(id)), (sets) => sets.length === 1, 30_000);
      const shown = await crossgate(['kill', 'show', id]);
      expect(shown.stdout).toMatch(/0 dead-lettered/);
    } finally {
      await down.close();
    }
  }, 120_000);

  it('should show the blast radius alone on --dry-run, finding a user by email, and fire nothing', async () => {
    const idp = await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: `https://${unique('idp')}.example.test`, audiences: [] } });
    const email = `${unique('dana')}@bank.example`;
    await api.prisma.user.create({ data: { idpId: idp.id, subject: unique('sub'), email } });
    const before = await api.prisma.killSwitch.count();

    const run = await crossgate(['kill', 'user', email, '--dry-run']);

    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`Blast radius of a switch on ${email}`);
    expect(await api.prisma.killSwitch.count()).toBe(before);
  });

  it('should leave a global switch waiting for a second admin, refuse its requester as approver, and let the other approve', async () => {
    const run = await crossgate(['kill', 'everything', '--reason', 'CLI: suspected IdP compromise', '--no-watch']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('two-person rule');
    const id = switchIdOf(run.stdout)!;
    expect(run.stdout).toContain(`crossgate kill approve ${id}`);
    expect(await api.prisma.killSwitch.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'pending_approval' });

    const self = await crossgate(['kill', 'approve', id]);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/answered 403|answered 409/);

    const approved = await crossgate(['kill', 'approve', id], secondResponder.token);
    expect(approved).toMatchObject({ code: 0 });
    expect(approved.stdout).toContain('is active');
    // Lifting a global switch needs the two-person rule too: asked by one, done by the other.
    expect((await crossgate(['kill', 'lift', id, '--reason', 'CLI: all clear'])).stdout).toContain('waits for a second admin');
    expect((await crossgate(['kill', 'approve', id], secondResponder.token)).code).toBe(0);
    expect(await api.prisma.killSwitch.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'lifted' });
  }, 60_000);

  it.each([
    [['kill'], 'needs a scope or a command'],
    [['kill', 'planet', 'earth', '--reason', 'CLI: nope'], 'Unknown kill switch scope or command "planet"'],
    [['kill', 'user', '--reason', 'CLI: who?'], 'takes <user>'],
    [['kill', 'client', 'anything'], '--reason is required'],
    [['kill', 'client', 'anything', '--reason', 'CLI: x', '--expires', 'tomorrow'], '--expires takes 30m, 2h, 1d or an ISO 8601 time'],
    [['kill', 'client', 'anything', '--reason', 'CLI: x', '--force'], 'Unknown option --force'],
  ])('should refuse %j with the usage and exit code 2', async (args, message) => {
    const run = await crossgate(args);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: crossgate');
  });

  it('should exit 2 naming a target it cannot find, and fire nothing', async () => {
    const before = await api.prisma.killSwitch.count();

    const run = await crossgate(['kill', 'client', unique('no-such-agent'), '--reason', 'CLI: typo']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No clients matches');
    expect(await api.prisma.killSwitch.count()).toBe(before);
  });
});
