/**
 * @overview The console's home page in one answer: what needs someone now (kill switches in force,
 * approvals waiting, failed rotations, service accounts past or near their sunset, unused
 * connections), token exchanges and refusals per day, the last audit-chain check, and whether this
 * instance seals secrets with the public development key.
 */
import { Inject, Injectable } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { type DashboardRows, DashboardRepository, type ExchangeDay } from '@crossgate/store';

import { Clock, InjectConfig } from '../platform/index.ts';

const dayMs = 24 * 3600 * 1000;
/** A service account whose sunset is this close counts as near it. */
export const sunsetWarningDays = 30;
/** A connection unused this long counts as unused. */
export const unusedAfterDays = 30;
/** The exchange series covers this many UTC days, today included. */
export const exchangeDays = 14;
const listLimit = 10;

export interface Dashboard extends Omit<DashboardRows, 'exchanges'> {
  /** One entry per day, oldest first, zero-filled. */
  exchanges: ExchangeDay[];
  /** True when secrets are sealed with the fixed development key-encryption key, which is public. */
  developmentKek: boolean;
  thresholds: { sunsetWarningDays: number; unusedAfterDays: number };
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

@Injectable()
export class DashboardService {
  constructor(
    @Inject(DashboardRepository) private readonly repository: DashboardRepository,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: Config,
  ) {}

  async dashboard(): Promise<Dashboard> {
    const now = this.clock.now();
    const firstDay = new Date(Date.parse(utcDay(now)) - (exchangeDays - 1) * dayMs);
    const rows = await this.repository.summary({
      now,
      sunsetBefore: new Date(now.getTime() + sunsetWarningDays * dayMs),
      unusedSince: new Date(now.getTime() - unusedAfterDays * dayMs),
      exchangesSince: firstDay,
      listLimit,
    });
    const byDay = new Map(rows.exchanges.map((entry) => [entry.day, entry]));
    const exchanges = Array.from({ length: exchangeDays }, (_, index) => {
      const day = utcDay(new Date(firstDay.getTime() + index * dayMs));
      return byDay.get(day) ?? { day, allowed: 0, denied: 0 };
    });
    return {
      ...rows,
      exchanges,
      developmentKek: this.config.keys.developmentKek,
      thresholds: { sunsetWarningDays, unusedAfterDays },
    };
  }
}
