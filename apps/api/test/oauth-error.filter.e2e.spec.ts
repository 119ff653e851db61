/**
 * The OAuth error filter over real HTTP: a throwaway controller that fails in each way the token
 * endpoint can, answered as RFC 6749 §5.2 JSON that caches nowhere.
 */
import { Controller, Logger, type INestApplication, Module, Post, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { Public } from '../src/auth/index.ts';
import { OAuthError, OAuthErrorFilter } from '../src/http/index.ts';

const leakedSecret = 'client-secret-that-must-not-leak';

@Controller('oauth2')
@UseFilters(OAuthErrorFilter)
class FailingController {
  @Post('invalid-grant')
  @Public()
  invalidGrant(): never {
    throw new OAuthError('invalid_grant', 'The subject token has expired');
  }

  @Post('invalid-client')
  @Public()
  invalidClient(): never {
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }

  @Post('unavailable')
  @Public()
  unavailable(): never {
    throw new OAuthError('temporarily_unavailable', 'The replay check is unavailable');
  }

  @Post('crash')
  @Public()
  crash(): never {
    throw new TypeError(`Cannot read properties of undefined (${leakedSecret.length} chars)`);
  }
}

@Module({ controllers: [FailingController] })
class FailingModule {}

let app: INestApplication;
let baseUrl: string;

beforeAll(async () => {
  app = await NestFactory.create<NestExpressApplication>(FailingModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app.close();
});

async function post(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: `client_id=app&client_secret=${leakedSecret}`,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('OAuthErrorFilter', () => {
  it('should answer an OAuth error as {error, error_description} with no-store and no-cache', async () => {
    const response = await post('/oauth2/invalid-grant');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'The subject token has expired' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
  });

  it('should answer invalid_client with 401 and a Basic challenge when Basic was attempted', async () => {
    const response = await post('/oauth2/invalid-client', { authorization: `Basic ${Buffer.from('app:wrong').toString('base64')}` });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="crossgate"');
  });

  it('should answer invalid_client with 401 but no challenge when the credentials were in the body', async () => {
    const response = await post('/oauth2/invalid-client');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('should not expose the description of a 5xx OAuth error', async () => {
    const response = await post('/oauth2/unavailable');

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ error: 'temporarily_unavailable' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('should turn an unexpected error into a bare server_error and log no request body', async () => {
    const logged: unknown[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]): void => {
      logged.push(...args);
    });
    try {
      const response = await post('/oauth2/crash');

      expect(response.status).toBe(500);
      expect(response.body).toEqual({ error: 'server_error' });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(logged.length).toBeGreaterThan(0);
      expect(JSON.stringify(logged)).not.toContain(leakedSecret);
    } finally {
      spy.mockRestore();
    }
  });
});
