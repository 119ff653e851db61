/**
 * The kill switch as `GET /api/kill-switches/:id` sends it, its receipt lines and the blast radius
 * of `POST /api/kill-switches/preview`, with the words the console uses for scopes and states.
 */
import { type KillSwitchDeliveryKind, type KillSwitchDeliveryStatus, type KillSwitchScope, killSwitchScopeTargets, type KillSwitchState, type KillSwitchTargetField } from '@crossgate/domain';

export interface ReceiptProgress {
  total: number;
  pending: number;
  delivered: number;
  failed: number;
  deadLettered: number;
  firstAckMs: number | null;
  lastAckMs: number | null;
  /** The fan-out planned every line and none is still pending or being retried. */
  done: boolean;
}

export interface KillSwitch {
  id: string;
  scope: KillSwitchScope;
  state: KillSwitchState;
  userId: string | null;
  clientId: string | null;
  resourceId: string | null;
  connectionId: string | null;
  idpId: string | null;
  targetLabel: string;
  reason: string;
  createdBy: string;
  createdById: string | null;
  requestedAt: string;
  activatedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  expiresAt: string | null;
  liftedAt: string | null;
  liftedBy: string | null;
  liftReason: string | null;
  liftRequestedBy: string | null;
  liftRequestedById: string | null;
  liftRequestedAt: string | null;
  liftRequestReason: string | null;
  tokensRevoked: number;
  fannedOutAt: string | null;
  requiresApproval: boolean;
  progress: ReceiptProgress;
}

/** One line of the revocation receipt: a downstream system told (or to be told) of the switch. */
export interface Delivery {
  id: string;
  kind: KillSwitchDeliveryKind;
  targetId: string;
  subjectKey: string;
  targetLabel: string;
  status: KillSwitchDeliveryStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  msToAck: number | null;
}

export interface BlastRadius {
  scope: KillSwitchScope;
  targetLabel: string;
  requiresApproval: boolean;
  tokens: { idJag: number; accessToken: number; total: number };
  users: number;
  agents: number;
  connections: { total: number; vaultedSecrets: number; sample: { id: string; name: string; pattern: string }[] };
  stsConsents: number;
  receivers: number;
  deliveries: Record<KillSwitchDeliveryKind, number> & { total: number };
}

export type TargetField = KillSwitchTargetField;

/** What a switch names: its scope and the ids that scope needs (the API refuses any other id). */
export type KillSwitchTarget = { scope: KillSwitchScope } & Partial<Record<TargetField, string>>;

/** Which ids each scope names. */
export const scopeTargets: Record<KillSwitchScope, readonly TargetField[]> = killSwitchScopeTargets;

export const targetReferences = {
  userId: 'users',
  clientId: 'clients',
  resourceId: 'resources',
  connectionId: 'connections',
  idpId: 'trusted-idps',
} as const satisfies Record<TargetField, string>;

export const scopeLabels: Record<KillSwitchScope, string> = {
  user: 'User',
  client: 'Client (app or agent)',
  resource: 'Resource',
  app_pair: 'App pair (client → resource)',
  user_app_pair: 'One user at an app pair',
  connection: 'Connection',
  idp: 'Trusted IdP (IdP-wide)',
  everything: 'Everything (global)',
};

export const deliveryKindLabels: Record<KillSwitchDeliveryKind, string> = {
  ssf_set: 'Security event (SSF)',
  sts_revocation: 'STS refresh token revocation',
  credential_rotation: 'Credential rotation',
};

/** The target fields of `target` its scope needs, and no other (the form may still hold others). */
export function targetOf(values: KillSwitchTarget): KillSwitchTarget {
  const target: KillSwitchTarget = { scope: values.scope };
  for (const field of scopeTargets[values.scope]) {
    target[field] = values[field];
  }
  return target;
}

/** Something is still moving: the fan-out, or an approval another admin may give at any moment. */
export function isSettling(killSwitch: Pick<KillSwitch, 'state' | 'liftRequestedAt' | 'progress'>): boolean {
  return killSwitch.state === 'pending_approval' || killSwitch.liftRequestedAt !== null || (killSwitch.state === 'active' && !killSwitch.progress.done);
}

export const pollMilliseconds = 2000;
