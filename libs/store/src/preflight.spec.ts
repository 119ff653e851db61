// eslint-disable-next-line @nx/enforce-module-boundaries -- the run's Redis, if any, is test support, imported by path (it imports no Crossgate library)
import { testRedisUrl } from '../../testing/src/test-server.ts';
import { checkDependencies, describeDependencyProblems, redactUrl } from './preflight.ts';

const database = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const redis = testRedisUrl();

describe('start-up preflight', () => {
  it('should find nothing wrong when PostgreSQL answers, and Redis where there is one', async () => {
    expect(await checkDependencies({ database, redis })).toEqual([]);
  });

  it('should name each dependency that does not answer, where it looked, and how to start it', async () => {
    const problems = await checkDependencies({
      database: 'postgresql://postgres:hunter2hunter2@127.0.0.1:1/crossgate',
      redis: 'redis://127.0.0.1:2',
    });
    expect(problems.map((problem) => problem.dependency)).toEqual(['PostgreSQL', 'Redis']);
    const message = describeDependencyProblems(problems);
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('redis://127.0.0.1:2');
    expect(message).toContain('docker compose up -d postgres redis');
    expect(message).not.toContain('hunter2hunter2');
  });

  it('should hide the password of a database URL', () => {
    expect(redactUrl('postgresql://crossgate:s3cret@db.internal:5432/crossgate')).toBe('postgresql://crossgate:***@db.internal:5432/crossgate');
  });
});
