/**
 * @overview Opening a connection's vaulted credential for one legitimate retrieval (the token
 * exchange's, or the MCP gateway's), in OAuth terms: no active version → `invalid_grant`, a version
 * past its expiry → `invalid_grant`, a vault that cannot open it (integrity failure, no KEK) →
 * `temporarily_unavailable`, logged with the secret's id and never its value. The caller zeroes
 * `value` once it has answered.
 */
import type { Logger } from '@nestjs/common';

import { type OpenedSecret, SecretNotFoundError } from '@crossgate/store';

import type { ConnectionCredentialService } from './connection-credential.service.ts';
import { OAuthError } from '../http/index.ts';

/**
 * @param opened told the version before its expiry is checked, so a refusal can still name it.
 */
export async function openConnectionCredential(
  services: { credentials: ConnectionCredentialService; logger: Logger },
  connection: { id: string; credentialSecretId: string },
  now: Date,
  opened: (version: number) => void = () => undefined,
): Promise<OpenedSecret> {
  let secret: OpenedSecret;
  try {
    secret = await services.credentials.current(connection.credentialSecretId);
  } catch (cause) {
    if (cause instanceof SecretNotFoundError) {
      throw new OAuthError('invalid_grant', 'The connection has no active credential', { cause });
    }
    services.logger.error(`Could not open the credential of connection ${connection.id}: ${cause instanceof Error ? cause.message : String(cause)}`);
    throw new OAuthError('temporarily_unavailable', 'The credential cannot be opened; try again shortly', { cause });
  }
  opened(secret.version);
  if (secret.expiresAt !== null && secret.expiresAt <= now) {
    secret.value.fill(0);
    throw new OAuthError('invalid_grant', `The connection's credential (version ${secret.version}) expired at ${secret.expiresAt.toISOString()}`);
  }
  return secret;
}
