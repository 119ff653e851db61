/**
 * @overview The policy index and directory a token request is served from, for every step of it
 * (client authentication and the grant alike): while they may be stale, the request is refused
 * with `temporarily_unavailable` rather than served from what an admin may just have revoked.
 */
import { PolicyUnavailableError } from '@crossgate/policy';

import { OAuthError } from '../http/index.ts';
import type { PolicyEngineService, PolicySnapshot } from './policy-engine.service.ts';

export function servingSnapshot(policyEngine: PolicyEngineService): PolicySnapshot {
  try {
    return policyEngine.snapshot();
  } catch (error) {
    if (error instanceof PolicyUnavailableError) {
      throw new OAuthError('temporarily_unavailable', 'Access policies are being reloaded; try again shortly', { cause: error });
    }
    throw error;
  }
}
