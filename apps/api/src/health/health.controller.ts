import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';

import type { PrismaClient } from '@crossgate/store';

import { Public } from '../auth/authorize.decorator.ts';
import { InjectPrisma, InjectRedis } from '../platform/platform.module.ts';

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
    @InjectRedis() private readonly redis: Redis,
  ) {}

  /** The process is up. */
  @Get('healthz')
  @Public()
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The process can serve: PostgreSQL and Redis answer. */
  @Get('readyz')
  @Public()
  async ready(@Res({ passthrough: true }) response: Response): Promise<{ status: string; postgres: Check; redis: Check }> {
    const [postgres, redis] = await Promise.all([
      within(this.prisma.$queryRaw`SELECT 1`, 2000).then((): Check => 'ok', (): Check => 'unreachable'),
      within(this.redis.ping(), 2000).then((): Check => 'ok', (): Check => 'unreachable'),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', postgres, redis };
  }
}
