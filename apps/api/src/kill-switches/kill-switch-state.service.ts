/**
 * @overview Whether a kill switch stops a token request, answered from memory: the set of active
 * switches is read at most every {@link killSwitchMaxAgeMs}, and a request never uses a set whose
 * query started longer ago than that. So a switch pulled on any instance (or written straight to the
 * database) stops new tokens on every instance within that bound, with no message that could be
 * lost, while a busy endpoint asks the database a few times a second instead of on every request.
 * When the set cannot be read, nothing is issued (fail closed).
 */
import { performance } from 'node:perf_hooks';

import { Injectable } from '@nestjs/common';

import { type ActiveKillSwitch, KillSwitchRepository, type PrismaClient } from '@crossgate/store';

import { InjectPrisma } from '../platform/platform.module.ts';

/** How stale the active set may be when a request reads it (DESIGN: denial on every instance ≤ 100 ms). */
export const killSwitchMaxAgeMs = 100;

/** What a token request is about; `resourceId` is absent when no target was resolved. */
export interface KillSwitchSubjects {
  userId: string;
  clientId: string;
  idpId: string;
  resourceId?: string | undefined;
}

function covers(killSwitch: ActiveKillSwitch, subjects: KillSwitchSubjects): boolean {
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
      return subjects.resourceId !== undefined && killSwitch.clientId === subjects.clientId && killSwitch.resourceId === subjects.resourceId;
    default:
      // A scope this build does not know (a newer release wrote it) stops everything rather than nothing.
      return true;
  }
}

interface ActiveSet {
  /** `performance.now()` when the query that read it started. */
  readSince: number;
  switches: Promise<ActiveKillSwitch[]>;
}

@Injectable()
export class KillSwitchState {
  private readonly repository: KillSwitchRepository;
  private latest: ActiveSet | null = null;

  constructor(@InjectPrisma() prisma: PrismaClient) {
    this.repository = new KillSwitchRepository(prisma);
  }

  /**
   * The earliest active switch covering the request, or null.
   * @throws when the active set cannot be read
   */
  async firstCovering(subjects: KillSwitchSubjects): Promise<ActiveKillSwitch | null> {
    const switches = await this.activeSet().switches;
    return switches.find((killSwitch) => covers(killSwitch, subjects)) ?? null;
  }

  /** A set read (or being read) since `killSwitchMaxAgeMs` ago, shared by the requests of that window. */
  private activeSet(): ActiveSet {
    const now = performance.now();
    if (this.latest !== null && now - this.latest.readSince <= killSwitchMaxAgeMs) {
      return this.latest;
    }
    const set: ActiveSet = { readSince: now, switches: this.repository.active() };
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
