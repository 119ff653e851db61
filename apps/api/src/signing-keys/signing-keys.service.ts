/**
 * @overview Signing keys in the admin API: what exists (public parts only) and rotation on demand.
 * An admin's rotation runs here, synchronously, rather than through the worker's queue: the answer
 * names the new active key, the audit event names the admin, and the repository's per-role lock
 * serialises it with a scheduled rotation running in the worker at the same moment.
 */
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { maxSignedLifetimeSeconds, type SigningKeyRecord, SigningKeyRepository } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { parseBody } from '../http/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';

/** A key as the admin API shows it: no private material, not even sealed. */
export function toSigningKeyView(key: SigningKeyRecord) {
  return {
    id: key.id,
    role: key.role,
    alg: key.alg,
    kid: key.kid,
    state: key.state,
    activatedAt: key.activatedAt,
    retiredAt: key.retiredAt,
    publishUntil: key.publishUntil,
    createdAt: key.createdAt,
  };
}
export type SigningKeyView = ReturnType<typeof toSigningKeyView>;

/**
 * The role is required, so an empty body rotates nothing: a rotation is always a deliberate act.
 * `idp` signs ID-JAGs; `ras:<slug>` signs the access tokens of a protected resource's authorization server.
 */
const rotateSchema = z.strictObject({ role: z.union([z.literal('idp'), z.string().regex(/^ras:[a-z0-9]+(-[a-z0-9]+)*$/, 'must be idp or ras:<slug>').max(68)]) });

export interface RotationView {
  activated: SigningKeyView;
  retired: SigningKeyView | null;
  next: SigningKeyView;
}

@Injectable()
export class SigningKeysService {
  constructor(
    @Inject(SigningKeyRepository) private readonly keys: SigningKeyRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async list(): Promise<SigningKeyView[]> {
    return (await this.keys.list()).map(toSigningKeyView);
  }

  async rotate(body: unknown, request: RequestContext): Promise<RotationView> {
    const { role } = parseBody(rotateSchema, body);
    const result = await this.keys.rotate(role, this.clock.now(), maxSignedLifetimeSeconds(role), {
      alg: this.config.keys.signingAlg,
      actor: request.actor,
      requestId: request.requestId,
    });
    return {
      activated: toSigningKeyView(result.activated),
      retired: result.retired ? toSigningKeyView(result.retired) : null,
      next: toSigningKeyView(result.next),
    };
  }
}
