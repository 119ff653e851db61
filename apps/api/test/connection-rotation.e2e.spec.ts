/**
 * Rotation through the admin API and the `crossgate` CLI, with the real worker in a process of its
 * own and a real legacy API: the hook credential (write-only), rotate-now with progress, a schedule
 * refused when it is not one, and the CLI's exit codes.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { SecretStore } from '@crossgate/store';
import { AdminHttp, createAdmin, createRotatableConnection, LegacyApi, stopChild, unique } from '@crossgate/testing';

import { startTestApi, type TestApi } from './support/test-api.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const hookCredential = `hook-${unique('credential')}`;

let api: TestApi;
let admin: AdminHttp;
let adminToken: string;
let secrets: SecretStore;
let target: LegacyApi;
let worker: ChildProcess;

beforeAll(async () => {
  api = await startTestApi({ ROTATION_RETRY_DELAY_MS: '60000' });
  adminToken = (await createAdmin(api.prisma, 'it-admin')).token;
  admin = AdminHttp.withToken(api.baseUrl, adminToken);
  secrets = SecretStore.fromConfig(api.prisma, api.config.keys);
  target = await new LegacyApi({ hookCredential }).start();
  worker = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'apps/worker/tsconfig.json', REDIS_PREFIX: api.config.redis.prefix, ROTATION_HOOK_TIMEOUT_MS: '2000', ROTATION_RETRY_DELAY_MS: '60000' },
    stdio: 'ignore',
  });
});

afterAll(async () => {
  await stopChild(worker);
  await target.stop();
  await api.close();
});

function crossgate(...args: string[]) {
  return promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/crossgate.ts', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, CROSSGATE_URL: api.baseUrl, CROSSGATE_TOKEN: adminToken },
    timeout: 90_000,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
  );
}

describe('PUT /api/connections/:id/rotation-hook-credential', () => {
  it('should vault a new hook credential without ever returning it, and audit the change', async () => {
    const { connectionId } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });
    const replacement = `hook-${unique('replacement')}`;

    const response = await admin.put<{ connectionId: string; keyVersion: number }>(`/api/connections/${connectionId}/rotation-hook-credential`, { value: replacement });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ connectionId, keyVersion: 2 });
    const row = await api.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect((await secrets.current(row.rotationHookSecretId!)).value.toString('utf8')).toBe(replacement);
    const shown = await admin.get(`/api/connections/${connectionId}`);
    expect(JSON.stringify(shown.body)).not.toContain(replacement);
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'connection_rotation_hook_set', targetId: connectionId } });
    expect(JSON.stringify(event.context)).not.toContain(replacement);
  });

  it('should refuse an empty value with 422 and change nothing', async () => {
    const { connectionId } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });

    const response = await admin.put(`/api/connections/${connectionId}/rotation-hook-credential`, { value: '' });

    expect(response.status).toBe(422);
    const row = await api.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect((await secrets.versions(row.rotationHookSecretId!)).length).toBe(1);
  });
});

describe('rotation schedules on /api/connections', () => {
  it.each([
    [{ rotationCron: 'every tuesday' }, 'rotationCron', /is not a valid cron expression/],
    [{ rotationIntervalSeconds: 10 }, 'rotationIntervalSeconds', /60/],
    [{ rotationIntervalSeconds: 3600, rotationCron: '0 3 * * *' }, 'rotationCron', /either rotationIntervalSeconds or rotationCron/],
    [{ rotationHookUrl: 'ftp://legacy.example/rotate' }, 'rotationHookUrl', /http\(s\) URL/],
  ])('should refuse %j with a clear message', async (change, field, message) => {
    const { connectionId } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });

    const response = await admin.put<{ errors?: Record<string, string>; message?: string }>(`/api/connections/${connectionId}`, change);

    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toMatch(message);
    expect(JSON.stringify(response.body)).toContain(field);
  });

  it('should accept a cron schedule', async () => {
    const { connectionId } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });

    const response = await admin.put<{ rotationCron: string }>(`/api/connections/${connectionId}`, { rotationCron: '0 3 * * 1' });

    expect(response.status).toBe(200);
    expect(response.body.rotationCron).toBe('0 3 * * 1');
  });
});

describe('POST /api/connections/:id/rotate and the crossgate CLI', () => {
  it('should rotate through the worker and report progress until done, exiting 0', async () => {
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });

    const result = await crossgate('connections', 'rotate', connectionId);

    expect(result.stdout).toContain('Rotated at');
    expect(result.code).toBe(0);
    const current = (await secrets.current(credentialSecretId)).value.toString('utf8');
    expect(current).not.toBe(initialKey);
    expect(target.accepts(current)).toBe(true);
    const state = await admin.get<{ status: string; step: string; progress: number; error: null; lastRotatedAt: string }>(`/api/connections/${connectionId}/rotation`);
    expect(state.body).toMatchObject({ status: 'idle', step: 'done', progress: 100, error: null });
    expect(await api.prisma.auditEvent.count({ where: { action: 'connection_rotation_requested', targetId: connectionId } })).toBe(1);
  }, 120_000);

  it('should exit 1 with the reason when the rotation fails, the old key still active', async () => {
    const { connectionId, credentialSecretId } = await createRotatableConnection(api.prisma, secrets, { target, hookCredential });
    target.fault = 'garbage';
    try {
      const result = await crossgate('connections', 'rotate', connectionId);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Rotation failed: The rotation hook did not answer with JSON');
      expect((await secrets.current(credentialSecretId)).version).toBe(1);
      const state = await admin.get<{ status: string; error: string }>(`/api/connections/${connectionId}/rotation`);
      expect(state.body).toMatchObject({ status: 'failed', error: 'The rotation hook did not answer with JSON' });
    } finally {
      target.fault = 'none';
    }
  }, 120_000);

  it('should answer 404 for an unknown connection', async () => {
    expect((await admin.post(`/api/connections/${crypto.randomUUID()}/rotate`)).status).toBe(404);
    expect((await admin.get('/api/connections/not-a-uuid/rotation')).status).toBe(404);
  });
});
