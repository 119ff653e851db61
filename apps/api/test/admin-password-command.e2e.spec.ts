import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { hash } from '@node-rs/argon2';

import { AdminHttp, createAdmin } from '@crossgate/testing';

import { startTestApi, type TestApi } from './support/test-api.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.close();
});

function resetPassword(email: string) {
  return promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/admin-password.ts', email], {
    cwd: repositoryRoot,
    env: process.env,
  });
}

describe('npm run admin:password', () => {
  it('should set a new password that signs in, end old sessions, and audit the reset without the password', async () => {
    const admin = await createAdmin(api.prisma, 'it-admin', await hash('the-old-password-1'));
    const oldSession = await AdminHttp.signIn(api.baseUrl, admin.email, 'the-old-password-1');

    const { stdout } = await resetPassword(admin.email);
    const password = /New password for [^:]+: (\S+)/.exec(stdout)?.[1];

    expect(password).toBeDefined();
    expect((await oldSession.get('/api/auth/me')).status).toBe(401);
    await expect(AdminHttp.signIn(api.baseUrl, admin.email, password!)).resolves.toBeInstanceOf(AdminHttp);
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'admin_user.password_reset', targetId: admin.id } });
    expect(JSON.stringify({ ...event, seq: String(event.seq) })).not.toContain(password!);
  });

  it('should refuse an unknown email with exit code 1 and change nothing', async () => {
    const before = await api.prisma.auditEvent.count();
    await expect(resetPassword('nobody@example.test')).rejects.toMatchObject({ code: 1 });
    expect(await api.prisma.auditEvent.count()).toBe(before);
  });
});
