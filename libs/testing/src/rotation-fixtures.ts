/**
 * Rows a rotation test starts from: a vaulted_key (or service_account) connection with its key and
 * its rotation-hook credential in the vault, pointing at a {@link LegacyApi}, and enrolled there. They
 * are written directly: the worker (or the bench) is what is under test, not the admin API.
 */
import { randomBytes } from 'node:crypto';

import type { PrismaClient, SecretStore } from '@crossgate/store';

import { unique } from './factories.ts';
import type { LegacyApi } from './legacy-api.ts';

export interface RotatableConnection {
  connectionId: string;
  credentialSecretId: string;
  /** The key the target accepts before any rotation. */
  initialKey: string;
}

export interface RotatableConnectionOptions {
  target: LegacyApi;
  hookCredential: string;
  pattern?: 'vaulted_key' | 'service_account';
  intervalSeconds?: number | null;
  cron?: string | null;
  overlapSeconds?: number;
}

export async function createRotatableConnection(prisma: PrismaClient, secrets: SecretStore, options: RotatableConnectionOptions): Promise<RotatableConnection> {
  const name = unique('rotation');
  const client = await prisma.client.create({ data: { clientId: name, name, owner: 'rotation-tests' } });
  const resource = await prisma.resource.create({
    data: { slug: name, name, authorizationServer: `https://as.example/${name}`, owner: 'rotation-tests' },
  });
  const initialKey = randomBytes(24).toString('base64url');
  const credentialSecretId = await secrets.create({ purpose: 'connection_credential', label: `${name} key`, value: initialKey });
  const hookSecretId = await secrets.create({ purpose: 'rotation_hook_credential', label: `${name} hook`, value: options.hookCredential });
  const pattern = options.pattern ?? 'vaulted_key';
  const connection = await prisma.connection.create({
    data: {
      name,
      clientId: client.id,
      resourceId: resource.id,
      pattern,
      owner: 'rotation-tests',
      ...(pattern === 'service_account'
        ? { accountName: `svc-${name}`, justification: 'The target only supports a shared account.', sunsetAt: new Date(Date.now() + 90 * 24 * 3600 * 1000) }
        : {}),
      credentialSecretId,
      rotationHookSecretId: hookSecretId,
      rotationHookUrl: options.target.rotateUrl,
      rotationVerifyUrl: options.target.pingUrl,
      rotationIntervalSeconds: options.intervalSeconds ?? null,
      rotationCron: options.cron ?? null,
      rotationOverlapSeconds: options.overlapSeconds ?? 3600,
    },
  });
  options.target.enroll(connection.id, initialKey);
  return { connectionId: connection.id, credentialSecretId, initialKey };
}
