/**
 * @overview The one gate every token path asks: the token-exchange grant (before it issues an
 * ID-JAG or hands out a connection's token or vaulted secret), the JWT-bearer grant (before it
 * redeems), and introspection (before it answers `active: true`).
 *
 * It answers from memory: the switches in force (and those ended within the last hour) are read at
 * most every {@link killSwitchMaxAgeMs}, and a request never uses a set whose query started longer
 * ago than that. So a switch fired on any instance (or written straight to the database) stops new
 * tokens on every instance within that bound, with no message that could be lost; the instance that
 * fires it drops its set at once. When the set cannot be read, the gate throws and callers refuse
 * (fail closed). A token a switch covered stays dead after the switch is lifted or expires: it was
 * issued before the switch took effect.
 */
import { performance } from 'node:perf_hooks';

import { Inject, Injectable } from '@nestjs/common';

import { type ActiveKillSwitch, KillSwitchRepository } from '@crossgate/store';

import { Clock } from '../platform/index.ts';

/** How stale the set may be when a request reads it: denial on every instance within 100 ms. */
export const killSwitchMaxAgeMs = 100;

/** What a token request or token is about; `resourceId` is absent when no target was resolved. */
export interface KillSwitchSubjects {
  userId: string;
  clientId: string;
  idpId: string;
  resourceId?: string | undefined;
  /** The managed connection that serves the request, when one does. */
  connectionId?: string | undefined;
  /** An ID-JAG or an access token from one: what the pair's XAA connection hands out. */
  xaa?: boolean;
}

function covers(killSwitch: ActiveKillSwitch, subjects: KillSwitchSubjects): boolean {
  const pair = subjects.resourceId !== undefined && killSwitch.clientId === subjects.clientId && killSwitch.resourceId === subjects.resourceId;
  switch (killSwitch.scope) {
    case 'everything':
      return true;
    case 'user':
      return killSwitch.userId === subjects.userId;
    case 'client':
      return killSwitch.clientId === subjects.clientId;
    case 'idp':
      return killSwitch.idpId === subjects.idpId;
    case 'resource':
      return subjects.resourceId !== undefined && killSwitch.resourceId === subjects.resourceId;
    case 'app_pair':
      return pair;
    case 'user_app_pair':
      return pair && killSwitch.userId === subjects.userId;
    case 'connection':
      return (subjects.connectionId !== undefined && killSwitch.connectionId === subjects.connectionId) || (subjects.xaa === true && killSwitch.connectionPattern === 'xaa' && pair);
    default:
      // A scope this build does not know (a newer release wrote it) stops everything rather than nothing.
      return true;
  }
}

interface CurrentSet {
  /** `performance.now()` when the query that read it started. */
  readSince: number;
  switches: Promise<ActiveKillSwitch[]>;
}

@Injectable()
export class KillSwitchGate {
  private latest: CurrentSet | null = null;

  constructor(
    @Inject(KillSwitchRepository) private readonly repository: KillSwitchRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * The earliest switch in force that covers the request, or null.
   * @throws when the switches cannot be read
   */
  async firstCovering(subjects: KillSwitchSubjects): Promise<ActiveKillSwitch | null> {
    const now = this.clock.now().getTime();
    const switches = await this.currentSet().switches;
    return switches.find((killSwitch) => endOf(killSwitch) === null || (endOf(killSwitch) as number) > now ? covers(killSwitch, subjects) : false) ?? null;
  }

  /**
   * The switch that killed a token issued at `issuedAt`: one in force that covers it, or one that took
   * effect after the token was issued and has ended since. Pass the latest moment the token can have
   * been issued (for a whole-second `iat`, its last millisecond), so a token issued after a switch
   * ended is never taken for one it killed.
   * @throws when the switches cannot be read
   */
  async killing(subjects: KillSwitchSubjects, issuedAt: Date): Promise<ActiveKillSwitch | null> {
    const now = this.clock.now().getTime();
    const switches = await this.currentSet().switches;
    return (
      switches.find((killSwitch) => {
        const end = endOf(killSwitch);
        const inForce = end === null || end > now;
        const tookEffectAfterIssue = killSwitch.activatedAt !== null && killSwitch.activatedAt.getTime() > issuedAt.getTime();
        return (inForce || tookEffectAfterIssue) && covers(killSwitch, subjects);
      }) ?? null
    );
  }

  /** Forgets the set, so this instance's next request reads the database: after a switch is fired or lifted here. */
  refresh(): void {
    this.latest = null;
  }

  /** A set read (or being read) since `killSwitchMaxAgeMs` ago, shared by the requests of that window. */
  private currentSet(): CurrentSet {
    const now = performance.now();
    if (this.latest !== null && now - this.latest.readSince <= killSwitchMaxAgeMs) {
      return this.latest;
    }
    const set: CurrentSet = { readSince: now, switches: this.repository.current(this.clock.now()) };
    this.latest = set;
    // A failed read is not kept: the next request tries again.
    set.switches.catch(() => {
      if (this.latest === set) {
        this.latest = null;
      }
    });
    return set;
  }
}

/** When a switch stopped (or stops) being in force, in epoch milliseconds; null when open-ended. */
function endOf(killSwitch: ActiveKillSwitch): number | null {
  return killSwitch.endedAt?.getTime() ?? killSwitch.expiresAt?.getTime() ?? null;
}
