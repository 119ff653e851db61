import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Coordination } from '@crossgate/coordination';
import type { PrismaClient } from '@crossgate/store';

import { Public } from '../auth/index.ts';
import { InjectPrisma } from '../platform/index.ts';

type Check = 'ok' | 'unreachable';
type Backend = 'postgresql' | 'redis';

export interface Readiness {
  status: 'ready' | 'not ready';
  /** What each part runs on: the source of truth, cross-instance coordination, the job queues. */
  backends: { database: 'postgresql'; coordination: Backend; queues: Backend };
  /** Each dependency this configuration needs, by name; any not `ok` makes the answer 503. */
  checks: Partial<Record<Backend, Check>>;
}

/** Bounds a dependency check so a hung dependency reads as unreachable, not as a hung probe. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    @Inject(Coordination) private readonly coordination: Coordination,
  ) {}

  /** The process is up. */
  @Get('healthz')
  @Public()
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The process can serve: every backend its configuration uses answers. */
  @Get('readyz')
  @Public()
  async ready(@Res({ passthrough: true }) response: Response): Promise<Readiness> {
    // Without REDIS_URL, coordination and queues run on PostgreSQL too, and its ping counts there.
    const redis: Backend = this.coordination.backend === 'redis' ? 'redis' : 'postgresql';
    const probes: [Backend, Promise<unknown>][] = [['postgresql', this.prisma.$queryRaw`SELECT 1`]];
    probes.push([redis, this.coordination.ping()]);
    const checks = Object.fromEntries(
      await Promise.all(probes.map(async ([name, probe]) => [name, await within(probe, 2000).then((): Check => 'ok', (): Check => 'unreachable')] as const)),
    );
    const ready = Object.values(checks).every((check) => check === 'ok');
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', backends: { database: 'postgresql', coordination: redis, queues: redis }, checks };
  }
}
