/**
 * The rows the policy engine compiles. They mirror the `Policy` and `Client` tables field for field,
 * as plain types, so this library never depends on Prisma: the store maps its rows onto them.
 */
import { type policyEffects, type policyStatuses } from '@crossgate/domain';

export type PolicyEffect = (typeof policyEffects)[number];
export type PolicyStatus = (typeof policyStatuses)[number];

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** Inclusive `start`, exclusive `end`, both `HH:MM` wall-clock times in `timeZone`, on `days`. */
export interface TimeWindow {
  readonly days: readonly Weekday[];
  readonly start: string;
  readonly end: string;
  /** IANA name, e.g. `Europe/Zurich`; the days and times are read in this zone. */
  readonly timeZone: string;
}

/** `Policy.conditions`, as the admin API validates it (`policyConditionsSchema`). */
export interface PolicyConditions {
  readonly timeWindow?: TimeWindow;
  /** The ID token's `acr` must be one of these. */
  readonly requiredAcr?: readonly string[];
  /** Every one of these must be in the ID token's `amr`. */
  readonly requiredAmr?: readonly string[];
  /** Cap on the ID-JAG lifetime under this policy, 30–300 s. */
  readonly maxLifetimeSeconds?: number;
}

export interface PolicyRow {
  readonly id: string;
  readonly clientId: string;
  readonly resourceId: string;
  readonly effect: PolicyEffect;
  readonly everyone: boolean;
  readonly subjectGroupIds: readonly string[];
  readonly subjectUserIds: readonly string[];
  readonly scopes: readonly string[];
  readonly conditions: PolicyConditions;
  readonly status: PolicyStatus;
  readonly expiresAt: Date | null;
}

export interface ClientRow {
  /** `Client.id` (the row id that `Policy.clientId` references), not the OAuth `client_id`. */
  readonly id: string;
  /** The most the client may ever be granted. Empty means no ceiling is set: policies alone decide. */
  readonly scopeCeiling: readonly string[];
}
