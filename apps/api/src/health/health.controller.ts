import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Coordination } from '@crossgate/coordination';
import type { PrismaClient } from '@crossgate/store';

import { Public } from '../auth/authorize.decorator.ts';
import { InjectPrisma } from '../platform/platform.module.ts';

type Check = 'ok' | 'unreachable';

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

  /**
   * The process can serve: PostgreSQL and the coordination backend answer. The backend is named when
   * it is Redis; without Redis it is PostgreSQL, and counts in `postgres`.
   */
  @Get('readyz')
  @Public()
  async ready(@Res({ passthrough: true }) response: Response): Promise<{ status: string; postgres: Check; redis?: Check }> {
    const [database, coordination] = await Promise.all([
      within(this.prisma.$queryRaw`SELECT 1`, 2000).then((): Check => 'ok', (): Check => 'unreachable'),
      within(this.coordination.ping(), 2000).then((): Check => 'ok', (): Check => 'unreachable'),
    ]);
    const checks: { postgres: Check; redis?: Check } =
      this.coordination.backend === 'redis' ? { postgres: database, redis: coordination } : { postgres: database === 'ok' ? coordination : database };
    const ready = Object.values(checks).every((check) => check === 'ok');
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', ...checks };
  }
}
