import { ConfigError, loadConfig } from './config.ts';

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('should report every bad variable in one ConfigError', () => {
    const error = configErrorOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db.example.test/crossgate',
      REDIS_URL: 'http://cache.example.test',
      BOOTSTRAP_ADMIN_PASSWORD: 'short',
      BODY_LIMIT: 'a lot',
    });

    const variables = error.problems.map((problem) => problem.split(':')[0]).sort();
    expect(variables).toEqual(['BODY_LIMIT', 'BOOTSTRAP_ADMIN_PASSWORD', 'DATABASE_URL', 'PORT', 'REDIS_URL']);
    for (const variable of variables) {
      expect(error.message).toContain(variable);
    }
  });

  it('should say what a bad URL must look like', () => {
    const error = configErrorOf({ DATABASE_URL: 'mysql://db.example.test/crossgate' });

    expect(error.problems).toEqual(['DATABASE_URL: must be a postgresql:// URL']);
  });

  it('should default to the local PostgreSQL test database and the local Redis', () => {
    const config = loadConfig({});

    expect(config.database.url).toBe('postgresql://postgres@127.0.0.1:5432/test');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('should treat empty variables as unset, so their defaults apply', () => {
    const config = loadConfig({ DATABASE_URL: '', BODY_LIMIT: '' });

    expect(config.database.url).toBe('postgresql://postgres@127.0.0.1:5432/test');
    expect(config.http.bodyLimit).toBe('100kb');
  });

  it('should mark cookies Secure when the public URL is https', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://crossgate.example.test/' }).session.secureCookies).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).session.secureCookies).toBe(false);
  });
});
