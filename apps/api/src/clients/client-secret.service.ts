/**
 * @overview Client secrets for `client_secret_basic` / `client_secret_post`: a new random secret
 * replaces the old one, only its argon2id hash is stored, and the audit event (in the same
 * transaction) records that it changed, never the secret. The secret is returned once.
 *
 * A secret may be set whatever the client's registered method, so an admin can provision it
 * before switching the client to a secret method; the token endpoint only checks it when the
 * registered method is a secret method.
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { AuditLogRepository, CrudRepository } from '@crossgate/store';

import { hashPassword, randomSecret, type RequestContext } from '../auth/index.ts';
import { AdminApiError } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { PolicyEngineService } from '../policies/index.ts';
import { bumpPolicyVersion } from '../crud/index.ts';

export interface IssuedClientSecret {
  clientId: string;
  /** Shown once; Crossgate keeps only its hash. */
  clientSecret: string;
}

const idSchema = z.uuid();

@Injectable()
export class ClientSecretService {
  constructor(
    private readonly repository: CrudRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
    private readonly policyEngine: PolicyEngineService,
  ) {}

  async rotate(id: string, request: RequestContext): Promise<IssuedClientSecret> {
    // 256 bits from the CSPRNG.
    return this.set(id, randomSecret(32), request);
  }

  /** Sets a secret chosen elsewhere (the demo data's, which `npm start` generates); `rotate` otherwise. */
  async set(id: string, clientSecret: string, request: RequestContext): Promise<IssuedClientSecret> {
    if (!idSchema.safeParse(id).success) {
      throw new AdminApiError('not_found', `No client with id "${id.slice(0, 64)}"`);
    }
    // Hashed before the transaction (argon2 is slow, locks are not free).
    const secretHash = await hashPassword(clientSecret);
    const issued = await this.repository.transaction(async (tx) => {
      const now = this.clock.now();
      const existing = await this.repository.findOne('client', { id, deletedAt: null }, tx);
      if (!existing) {
        throw new AdminApiError('not_found', `No client with id "${id}"`);
      }
      await this.repository.update(tx, 'client', { id }, { secretHash });
      // The token endpoint authenticates from the directory loaded at the policy version: the old secret stops working everywhere.
      await bumpPolicyVersion({ updateMany: (model, where, data) => this.repository.updateMany(tx, model, where, data) });
      await this.audit.append(
        tx,
        {
          actor: request.actor,
          action: 'client.secret_rotate',
          target: { type: 'clients', id },
          decision: 'allow',
          requestId: request.requestId,
          // Key names that mention secrets are redacted by the audit log, so say what happened plainly.
          context: {
            clientId: existing['clientId'] as string,
            authMethod: existing['authMethod'] as string,
            replacedExisting: existing['secretHash'] !== null,
          },
        },
        now,
      );
      return { clientId: existing['clientId'] as string, clientSecret };
    });
    await this.policyEngine.announceChange();
    return issued;
  }
}
