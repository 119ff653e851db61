/**
 * @overview The effective-access endpoint: parses the question (by client, resource or user) and
 * answers it from the live policy index through `@crossgate/policy`'s effective-access functions,
 * which access-review campaigns share.
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { activePolicies, type EffectiveAccessRow, effectiveAccessOfPolicies, effectiveAccessOfUser } from '@crossgate/policy';
import { PolicySourceRepository } from '@crossgate/store';

import { AdminApiError } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { PolicyEngineService } from '../policies/index.ts';

export type { EffectiveAccessRow, EffectiveAccessSubjects } from '@crossgate/policy';

const querySchema = z.object({
  clientId: z.uuid().transform((value) => value.toLowerCase()).optional(),
  resourceId: z.uuid().transform((value) => value.toLowerCase()).optional(),
  userId: z.uuid().transform((value) => value.toLowerCase()).optional(),
});

export interface EffectiveAccess {
  by: 'client' | 'resource' | 'user';
  id: string;
  /** The policy version the answer was computed from. */
  policyVersion: string;
  rows: EffectiveAccessRow[];
}

@Injectable()
export class EffectiveAccessService {
  constructor(
    private readonly source: PolicySourceRepository,
    private readonly engine: PolicyEngineService,
    private readonly clock: Clock,
  ) {}

  async query(query: unknown): Promise<EffectiveAccess> {
    const parsed = querySchema.safeParse(query ?? {});
    const given = parsed.success ? (['clientId', 'resourceId', 'userId'] as const).filter((key) => parsed.data[key] !== undefined) : [];
    if (!parsed.success || given.length !== 1) {
      throw new AdminApiError('bad_request', 'Give exactly one of clientId, resourceId or userId, each a UUID');
    }
    const key = given[0] as 'clientId' | 'resourceId' | 'userId';
    const id = parsed.data[key] as string;
    const snapshot = this.engine.snapshot();
    const now = this.clock.now();
    const policyVersion = snapshot.version.toString();
    if (key === 'userId') {
      const rows = await effectiveAccessOfUser(this.source, snapshot, id, now);
      if (rows === null) {
        throw new AdminApiError('not_found', `No user with id "${id}"`);
      }
      return { by: 'user', id, policyVersion, rows };
    }
    const policies = activePolicies(snapshot, now).filter((policy) => policy[key] === id);
    return { by: key === 'clientId' ? 'client' : 'resource', id, policyVersion, rows: await effectiveAccessOfPolicies(this.source, snapshot, policies) };
  }
}
