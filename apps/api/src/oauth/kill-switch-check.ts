/**
 * @overview The kill-switch step of both grants, in OAuth terms: a covering switch → `invalid_grant`
 * (RFC 6749 §5.2: the grant is no longer valid), switches that cannot be read → `temporarily_unavailable`
 * (fail closed: nothing is issued that a switch might cover).
 */
import type { Logger } from '@nestjs/common';

import type { KillSwitchGate, KillSwitchSubjects } from '../kill-switches/index.ts';
import { OAuthError } from '../http/index.ts';

/**
 * @param issuedAt when the request redeems a token (an ID-JAG): its `iat`, so a token a switch killed
 *   stays refused after the switch ends.
 */
export async function assertNoKillSwitch(services: { killSwitches: KillSwitchGate; logger: Logger }, subjects: KillSwitchSubjects, issuedAt?: Date): Promise<void> {
  let active;
  try {
    active = issuedAt === undefined ? await services.killSwitches.firstCovering(subjects) : await services.killSwitches.killing(subjects, issuedAt);
  } catch (cause) {
    services.logger.warn(`Kill switches cannot be read, so nothing is issued: ${cause instanceof Error ? cause.message : String(cause)}`);
    throw new OAuthError('temporarily_unavailable', 'Kill switches cannot be checked; try again shortly', { cause });
  }
  if (active !== null) {
    throw new OAuthError('invalid_grant', `Access is suspended by kill switch ${active.id} (${active.scope})`);
  }
}
