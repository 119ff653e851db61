/**
 * Access-review reminders and escalation through the real worker, on a clock the test moves, against
 * the real API and database, a real SMTP server (smtp-server, with a password) and a webhook receiver
 * that verifies the Standard Webhooks signature: a campaign launched through the admin API reminds
 * each reviewer at launch and as the due date nears, each step once even with two workers and a
 * failing receiver; past due, undecided items go to the fallback reviewer except the one granting the
 * fallback's own access; the close revokes what nobody decided and the revoked user's live token is
 * inactive at introspection.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { SMTPServer } from 'smtp-server';

import type { Config } from '@crossgate/config';
import { JobName, QueueName } from '@crossgate/jobs';
import type { AccessReviewCampaignRecord, AccessReviewItemRecord } from '@crossgate/store';
import { accessTokenFor, type AccessTokenFlow, AdminHttp, createActivePolicy, createAdmin, createAgentClient, createRasResource, expectStatus, FixedClock, introspectAccessToken, listQuery, type TestAdmin, type TestAgent, unique } from '@crossgate/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the campaign is launched and closed through the real admin API, started in-process as its own e2e tests start it
import { hashPassword } from '../../api/src/auth/credentials.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above: the API's own test server
import { startTestApi, type TestApi } from '../../api/test/support/test-api.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp } from '../../../libs/token/src/test-support/local-idp.ts';
import { CapturingLogger, eventually, obliterateQueues, openQueues, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

const dayMs = 86_400_000;
const secret = 'correct horse battery staple, 32+ chars';
const smtpPassword = `smtp-${randomBytes(12).toString('hex')}`;
const webhookKey = randomBytes(32);
const webhookSecret = `whsec_${webhookKey.toString('base64')}`;

interface Mail {
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

/** An SMTP server (RFC 5321) that takes mail only after AUTH with the right password, and keeps it. */
class Inbox {
  readonly mails: Mail[] = [];
  private readonly server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => (auth.username === 'crossgate' && auth.password === smtpPassword ? callback(null, { user: 'crossgate' }) : callback(new Error('Invalid username or password'))),
    onData: (stream, session, callback) => {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        this.mails.push(parseMail(raw, session.envelope.rcptTo.map((address) => address.address)));
        callback();
      });
    },
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://crossgate:${smtpPassword}@127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(resolve));
  }

  to(reviewer: string): Mail[] {
    return this.mails.filter((mail) => mail.to.includes(reviewer));
  }
}

/** The headers a test reads, unfolded, and the text body, quoted-printable decoded when so encoded. */
function parseMail(raw: string, to: string[]): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1]?.trim() ?? '';
  let text = raw.slice(split + 4);
  if (header('Content-Transfer-Encoding').toLowerCase() === 'quoted-printable') {
    text = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { to, subject: decodeWords(header('Subject')), text, messageId: header('Message-ID') };
}

/** Decodes RFC 2047 Q-encoded words (white space between adjacent words is dropped, §6.2). */
function decodeWords(value: string): string {
  const bytes = (encoded: string) => encoded.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, encoded: string) => Buffer.from(bytes(encoded), 'latin1').toString('utf8'));
}

interface Post {
  id: string;
  verified: boolean;
  status: number;
  notice: { type: string; reviewer: string; step: string; undecided: number; url: string; campaign: { id: string } };
}

/** A webhook receiver that checks every post's signature and answers `answer`. */
class Receiver {
  readonly posts: Post[] = [];
  answer = 200;
  private readonly server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      const timestamp = String(request.headers['webhook-timestamp']);
      const expected = Buffer.from(`v1,${createHmac('sha256', webhookKey).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
      const given = Buffer.from(String(request.headers['webhook-signature']));
      const verified = given.length === expected.length && timingSafeEqual(given, expected);
      this.posts.push({ id, verified, status: this.answer, notice: JSON.parse(body) as Post['notice'] });
      response.writeHead(this.answer).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/reviews`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The acknowledged posts for `reviewer` at `step`. */
  accepted(reviewer: string, step: string): Post[] {
    return this.posts.filter((post) => post.status === 200 && post.notice.reviewer === reviewer && post.notice.step === step);
  }
}

let api: TestApi;
let config: Config;
let queues: ReturnType<typeof openQueues>;
let clock: FixedClock;
let logger: CapturingLogger;
let workers: TestWorker[] = [];
let inbox: Inbox;
let receiver: Receiver;
let idp: LocalIdp;
let ravi: TestAdmin;
let priya: TestAdmin;
let asRavi: AdminHttp;
let asPriya: AdminHttp;
let agent: TestAgent;
let resourceServer: { id: string; clientId: string };
let mcp: { id: string; slug: string; issuer: string };
let users: Record<'alice' | 'bob' | 'priyaUser', { id: string; subject: string }>;
let aliceAccessToken: string;
let campaign: AccessReviewCampaignRecord;
let launchedAt: number;

function flow(): AccessTokenFlow {
  return { baseUrl: api.baseUrl, agent, secret, resource: mcp, idp };
}

async function newClient(name: string): Promise<TestAgent> {
  return createAgentClient(api.prisma, name, await hashPassword(secret));
}

async function items(): Promise<AccessReviewItemRecord[]> {
  return (await api.prisma.accessReviewItem.findMany({ where: { campaignId: campaign.id } })) as AccessReviewItemRecord[];
}

async function itemOf(userId: string): Promise<AccessReviewItemRecord> {
  const found = (await items()).find((item) => item.subjectId === userId);
  if (found === undefined) {
    throw new Error(`No item for user ${userId}`);
  }
  return found;
}

/** Every post about this campaign at `step`, acknowledged or not. */
function ourPosts(step: string): Post[] {
  return receiver.posts.filter((post) => post.notice.campaign.id === campaign.id && post.notice.step === step);
}

/** Sets the worker's clock to `ms` after the launch. */
function at(ms: number): void {
  clock.advance(launchedAt + ms - clock.now().getTime());
}

/** How many reminder scans have completed so far. */
async function scans(): Promise<number> {
  const jobs = await queues[QueueName.Maintenance].getJobs(['completed'], 0, 5_000);
  return jobs.filter((job) => job.name === JobName.AccessReviewRemind).length;
}

/** Waits until `more` further scans have completed, so anything they would send has had its chance. */
async function moreScans(more: number): Promise<void> {
  const before = await scans();
  await eventually(`${more} more reminder scans`, scans, (count) => count >= before + more, 20_000);
  await eventually('every notification delivered', () => api.prisma.accessReviewNotification.count({ where: { campaignId: campaign.id, deliveredAt: null } }), (count) => count === 0, 20_000);
}

/** The steps `reviewer` was e-mailed, in order, from the notification each mail's Message-ID names. */
async function stepsMailed(reviewer: string): Promise<string[]> {
  const rows = await api.prisma.accessReviewNotification.findMany({ where: { campaignId: campaign.id, reviewer } });
  const byId = new Map(rows.map((row) => [row.id, row.step]));
  return inbox.to(reviewer).map((mail) => byId.get(/access-review-([0-9a-f-]{36})@/.exec(mail.messageId)?.[1] ?? '') ?? `unknown ${mail.messageId}`);
}

/** Waits for `reviewer`'s e-mail and acknowledged webhook at `step`. */
async function notifiedAt(reviewer: string, step: string): Promise<{ mail: Mail; post: Post }> {
  await eventually(`the ${step} e-mail to ${reviewer}`, () => stepsMailed(reviewer), (steps) => steps.includes(step), 20_000);
  const row = await api.prisma.accessReviewNotification.findUniqueOrThrow({ where: { campaignId_reviewer_step: { campaignId: campaign.id, reviewer, step } } });
  const mail = inbox.to(reviewer).find((candidate) => candidate.messageId.includes(row.id))!;
  const posts = await eventually(`the ${step} webhook for ${reviewer}`, async () => receiver.accepted(reviewer, step), (found) => found.length > 0, 20_000);
  return { mail, post: posts[0]! };
}

beforeAll(async () => {
  inbox = new Inbox();
  receiver = new Receiver();
  const smtpUrl = await inbox.start();
  const webhookUrl = await receiver.start();
  // The API runs no worker of its own: the test's worker, on the test's clock, is the one under test.
  api = await startTestApi({ SINGLE_PROCESS: 'false' });
  config = testConfig({
    ACCESS_REVIEW_SCAN_SECONDS: '1',
    SMTP_URL: smtpUrl,
    NOTIFY_EMAIL_FROM: 'crossgate@example.test',
    REVIEW_WEBHOOK_URL: webhookUrl,
    REVIEW_WEBHOOK_SECRET: webhookSecret,
    NOTIFY_RETRY_DELAY_MS: '50',
    NOTIFY_TIMEOUT_MS: '2000',
    PUBLIC_URL: 'https://crossgate.example.test',
  });
  queues = openQueues(config);

  const itAdmin = await createAdmin(api.prisma, 'it-admin');
  const approver = await createAdmin(api.prisma, 'it-admin');
  ravi = await createAdmin(api.prisma, 'compliance-reviewer');
  priya = await createAdmin(api.prisma, 'compliance-reviewer');
  const asItAdmin = AdminHttp.withToken(api.baseUrl, itAdmin.token);
  asRavi = AdminHttp.withToken(api.baseUrl, ravi.token);
  asPriya = AdminHttp.withToken(api.baseUrl, priya.token);
  idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
  const idpId = (await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } })).id;
  const newUser = async (name: string, email = `${unique(name)}@example.test`) => {
    const subject = unique(name);
    return { id: (await api.prisma.user.create({ data: { idpId, subject, email } })).id, subject };
  };
  // Priya, the fallback reviewer, is also an end user (the same e-mail) with access under review.
  users = { alice: await newUser('alice'), bob: await newUser('bob'), priyaUser: await newUser('priya', priya.email) };
  agent = await newClient('agent');
  resourceServer = await newClient('resource-server');
  mcp = await createRasResource(asItAdmin, { owner: ravi.email, scopes: [{ name: 'notes.read', risk: 'low' }], introspectionClientIds: [resourceServer.id] });
  await createActivePolicy(asItAdmin, AdminHttp.withToken(api.baseUrl, approver.token), {
    name: unique('policy'),
    clientId: agent.id,
    resourceId: mcp.id,
    subjectUserIds: [users.alice.id, users.bob.id, users.priyaUser.id],
    scopes: ['notes.read'],
  });
  await api.directoryChanged();
  aliceAccessToken = await accessTokenFor(flow(), users.alice.subject, 'notes.read');

  const draft = await asRavi.post<AccessReviewCampaignRecord>('/api/access-reviews/campaigns', {
    name: unique('Quarterly agent review'),
    scope: { kind: 'client', clientId: agent.id },
    dueAt: new Date(Date.now() + 10 * dayMs).toISOString(),
    reviewerRule: 'named',
    reviewers: [ravi.email],
    fallbackReviewer: priya.email,
    undecidedOutcome: 'revoke',
  });
  campaign = expectStatus(draft, 201, 'POST /api/access-reviews/campaigns');
  campaign = expectStatus(await asRavi.post<AccessReviewCampaignRecord>(`/api/access-reviews/campaigns/${campaign.id}/launch`, {}), 200, 'launch');
  launchedAt = new Date(campaign.launchedAt as unknown as string).getTime();

  clock = new FixedClock(new Date(launchedAt + 60_000));
  logger = new CapturingLogger();
  workers = [await startTestWorker(config, logger, clock)];
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await obliterateQueues(queues);
  await api?.prisma.killSwitch.updateMany({ where: { state: 'active', scope: 'user_app_pair' }, data: { state: 'lifted', liftedAt: new Date() } });
  await api?.close();
  await inbox?.stop();
  await receiver?.stop();
});

describe('reminders', () => {
  it('should remind every reviewer at launch with their count of undecided items and a link to My reviews, by e-mail and by signed webhook', async () => {
    const { mail, post } = await notifiedAt(ravi.email, 'launch');
    expect(mail.subject).toContain(campaign.name);
    expect(mail.subject).toContain('3 undecided items');
    expect(mail.text).toContain('https://crossgate.example.test/#/my-reviews');
    expect(post).toMatchObject({ verified: true, notice: { type: 'access_review.reminder', undecided: 3, url: 'https://crossgate.example.test/#/my-reviews', campaign: { id: campaign.id } } });
    // Every item went to Ravi (the named reviewer); Priya has none, so she is not reminded.
    expect(inbox.to(priya.email)).toEqual([]);
  });

  it('should send each step once, across scans, a second worker and a restart', async () => {
    workers.push(await startTestWorker(config, logger, clock));
    await moreScans(3);
    await workers[0]!.close();
    workers[0] = await startTestWorker(config, logger, clock);
    await moreScans(3);
    expect(await stepsMailed(ravi.email)).toEqual(['launch']);
    expect(receiver.posts.filter((post) => post.notice.reviewer === ravi.email)).toHaveLength(1);
  });

  it('should remind at 7 days before due with the count left, and retry a refusing webhook without e-mailing twice', async () => {
    const bob = await itemOf(users.bob.id);
    expectStatus(await asRavi.post(`/api/access-reviews/items/${bob.id}/decision`, { decision: 'certify', justification: 'still supports the team' }), 200, 'decision');
    receiver.answer = 503;
    at(3 * dayMs + 60_000);
    // Five attempts and a re-drive by the next scan: the receiver refuses more than one post of the step.
    await eventually('refused webhook posts at due-7d', async () => ourPosts('due-7d').length, (count) => count >= 6, 20_000);
    receiver.answer = 200;
    const { mail, post } = await notifiedAt(ravi.email, 'due-7d');
    expect(mail.subject).toContain('2 undecided items');
    expect(post.notice.undecided).toBe(2);
    // Every post of one notification carries the same webhook-id, for the receiver's de-duplication.
    expect(new Set(ourPosts('due-7d').map((post) => post.id)).size).toBe(1);
    await moreScans(2);
    expect(await stepsMailed(ravi.email)).toEqual(['launch', 'due-7d']);
  });

  it('should send only the latest step after a gap, not every step missed', async () => {
    at(10 * dayMs - 60 * 60_000);
    await notifiedAt(ravi.email, 'due-2h');
    await moreScans(2);
    expect(await stepsMailed(ravi.email)).toEqual(['launch', 'due-7d', 'due-2h']);
  });
});

describe('escalation', () => {
  it("should move undecided items past due to the fallback reviewer, audited, except the one granting the fallback's own access", async () => {
    at(10 * dayMs + 60_000);
    const { mail, post } = await notifiedAt(priya.email, 'escalated');
    expect(mail.subject).toContain('1 undecided item');
    expect(post.notice).toMatchObject({ type: 'access_review.escalated', undecided: 1 });
    expect(await itemOf(users.alice.id)).toMatchObject({ reviewer: priya.email, escalatedFrom: ravi.email, decision: null });
    expect(await itemOf(users.priyaUser.id)).toMatchObject({ reviewer: ravi.email, escalatedFrom: null, escalationHeld: 'separation_of_duties' });
    expect(await itemOf(users.bob.id)).toMatchObject({ reviewer: ravi.email, decision: 'certify', escalatedFrom: null });
    const events = await api.prisma.auditEvent.findMany({ where: { action: 'campaign.items_escalated', targetId: campaign.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: 'system', context: { escalated: 1, heldForSeparationOfDuties: 1 }, before: { reviewers: { [ravi.email]: 1 } }, after: { reviewer: priya.email } });
    const queue = await asPriya.get<AccessReviewItemRecord[]>(`/api/access-reviews/queue${listQuery({ filter: { campaignId: campaign.id } })}`);
    expect(queue.body.map((item) => item.subjectId)).toEqual([users.alice.id]);
    await moreScans(2);
    expect(await stepsMailed(priya.email)).toEqual(['escalated']);
    expect(await api.prisma.auditEvent.count({ where: { action: 'campaign.items_escalated', targetId: campaign.id } })).toBe(1);
  });

  it('should remind whoever still holds undecided items once a day past due', async () => {
    at(11 * dayMs + 60_000);
    await notifiedAt(priya.email, 'overdue-1d');
    await notifiedAt(ravi.email, 'overdue-1d');
  });
});

describe('closing', () => {
  it("should revoke what nobody decided, end the revoked user's live token, and remind nobody afterwards", async () => {
    expect(await introspectAccessToken(flow(), resourceServer.clientId, aliceAccessToken)).toMatchObject({ active: true });
    const closed = await asRavi.post<AccessReviewCampaignRecord & { remediation: Record<string, number> }>(`/api/access-reviews/campaigns/${campaign.id}/close`, {});
    expect({ status: closed.status, body: closed.status === 200 ? null : closed.body }).toEqual({ status: 200, body: null });
    expect(closed.body).toMatchObject({ status: 'closed', remediation: { items: 2, killSwitches: 1 } });
    for (const user of [users.alice, users.priyaUser]) {
      expect(await itemOf(user.id)).toMatchObject({ decision: null, closeOutcome: 'revoke', remediatedAt: expect.any(Date) });
    }
    expect(await introspectAccessToken(flow(), resourceServer.clientId, aliceAccessToken)).toEqual({ active: false });
    // Other suites' campaigns may share the run's database: count only this campaign's reviewers.
    const ours = () => inbox.to(ravi.email).length + inbox.to(priya.email).length;
    const before = ours();
    at(12 * dayMs + 60_000);
    await moreScans(2);
    expect(ours()).toBe(before);
    expect(await api.prisma.accessReviewNotification.count({ where: { campaignId: campaign.id, step: 'overdue-2d' } })).toBe(0);
  });

  it('should never log the SMTP password or the webhook secret', () => {
    const logged = logger.lines.map((line) => line.message).join('\n');
    expect(logged).not.toContain(smtpPassword);
    expect(logged).not.toContain(webhookSecret);
    expect(logged).not.toContain(webhookKey.toString('base64'));
  });
});
