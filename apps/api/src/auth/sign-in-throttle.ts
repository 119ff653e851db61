/**
 * @overview Slows password guessing: after `maxFailures` failed sign-ins for one email within the
 * window, further attempts for it are refused until the window ends, whatever the password. Counted
 * in Redis so every API instance sees the same count. When Redis cannot be consulted no session is
 * issued (fail closed).
 */
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';

import { AdminApiError } from '../http/admin-api.error.ts';
import { InjectRedis } from '../platform/platform.module.ts';
import { digest } from './credentials.ts';

export const maxFailures = 10;
export const windowSeconds = 15 * 60;

@Injectable()
export class SignInThrottle {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** The email is hashed so the key space holds no addresses. */
  private key(email: string): string {
    return `sign-in-failures:${digest(email.toLowerCase())}`;
  }

  private async consult<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch {
      throw new AdminApiError('unavailable', 'Sign-in is unavailable: the session store cannot be reached');
    }
  }

  /** Seconds until `email` may try again, or 0 when it may try now. */
  async retryAfter(email: string): Promise<number> {
    return this.consult(async () => {
      const [failures, ttl] = await Promise.all([this.redis.get(this.key(email)), this.redis.ttl(this.key(email))]);
      return Number(failures ?? 0) >= maxFailures ? Math.max(ttl, 1) : 0;
    });
  }

  async recordFailure(email: string): Promise<void> {
    await this.consult(async () => {
      const key = this.key(email);
      // The window starts at the first failure and is not extended by later ones.
      await this.redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec();
    });
  }

  async recordSuccess(email: string): Promise<void> {
    await this.consult(() => this.redis.del(this.key(email)));
  }
}
