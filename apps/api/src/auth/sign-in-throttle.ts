/**
 * @overview Slows password guessing: after `maxFailures` failed sign-ins for one email within the
 * window, further attempts for it are refused until the window ends, whatever the password. Counted
 * by the coordination port so every API instance sees the same count. When it cannot be consulted no
 * session is issued (fail closed).
 */
import { Inject, Injectable } from '@nestjs/common';

import { Coordination } from '@crossgate/coordination';

import { AdminApiError } from '../http/index.ts';
import { digest } from './credentials.ts';

export const maxFailures = 10;
export const windowSeconds = 15 * 60;

@Injectable()
export class SignInThrottle {
  constructor(@Inject(Coordination) private readonly coordination: Coordination) {}

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
      const { count, remainingMs } = await this.coordination.counter(this.key(email));
      return count >= maxFailures ? Math.max(Math.ceil(remainingMs / 1000), 1) : 0;
    });
  }

  async recordFailure(email: string): Promise<void> {
    // The window starts at the first failure and is not extended by later ones.
    await this.consult(() => this.coordination.increment(this.key(email), windowSeconds * 1000));
  }

  async recordSuccess(email: string): Promise<void> {
    await this.consult(() => this.coordination.delete(this.key(email)));
  }
}
