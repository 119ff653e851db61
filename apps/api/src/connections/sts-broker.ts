/**
 * @overview The seam between the token endpoint and STS brokering: for an `sts` connection, after
 * policy has allowed the request, the grant asks the broker for a short-lived upstream access token
 * of the user at the connection's OAuth provider. The broker refreshes through the vault and throws
 * an OAuthError when it cannot (the user has not consented, or withdrew consent).
 */
import { Inject } from '@nestjs/common';

export interface StsAccessRequest {
  connectionId: string;
  userId: string;
  /** The scopes policy granted; the broker narrows to what the user consented to. */
  scopes: readonly string[];
}

export interface StsAccess {
  accessToken: string;
  expiresAt: Date;
  scope: string;
}

export interface StsBroker {
  /** @throws OAuthError when no upstream token can be had for the user (e.g. no consent). */
  accessTokenFor(request: StsAccessRequest): Promise<StsAccess>;
}

/** Nest token of the StsBroker; provided as null until STS brokering is wired in. */
export const STS_BROKER = Symbol('StsBroker');
export const InjectStsBroker = () => Inject(STS_BROKER);
