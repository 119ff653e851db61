import { CrossgateLogger, runWithLogContext } from './index.ts';

function captureStdout(work: () => void): string {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    work();
  } finally {
    process.stdout.write = original;
  }
  return chunks.join('');
}

describe('CrossgateLogger', () => {
  it('should print a message logged without a context once, and nothing else', () => {
    const output = captureStdout(() => new CrossgateLogger('log').log('Applied migrations'));
    expect(output).toContain('Applied migrations');
    expect(output).not.toContain('undefined');
    expect(output.trim().split('\n')).toHaveLength(1);
  });

  it("should hide Nest's start-up chatter unless the level is debug or verbose", () => {
    expect(captureStdout(() => new CrossgateLogger('log').log('Mapped {/api, GET}', 'RouterExplorer'))).toBe('');
    expect(captureStdout(() => new CrossgateLogger('debug').log('Mapped {/api, GET}', 'RouterExplorer'))).toContain('Mapped');
  });

  it('should keep messages from other contexts', () => {
    expect(captureStdout(() => new CrossgateLogger('log').log('Scheduled audit.verify-chain', 'Queues'))).toContain('[Queues]');
  });

  it('should print one JSON object per line with the process and the request id when the format is json', () => {
    const output = captureStdout(() => runWithLogContext({ requestId: 'req-0123456789' }, () => new CrossgateLogger('log', 'crossgate-worker', 'json').warn('Redis is unreachable', 'redis')));

    expect(output.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(output)).toMatchObject({ level: 'warn', message: 'Redis is unreachable', context: 'redis', process: 'crossgate-worker', requestId: 'req-0123456789' });
  });

  it('should name the job of a line logged while it runs', () => {
    const logger = new CrossgateLogger('log', 'crossgate-worker', 'json');
    const output = captureStdout(() => runWithLogContext({ jobId: 'kill-switch.fan-out/ks_1', job: 'kill-switch.fan-out' }, () => logger.log('Fanned out', 'KillSwitches')));

    expect(JSON.parse(output)).toMatchObject({ jobId: 'kill-switch.fan-out/ks_1', job: 'kill-switch.fan-out' });
  });

  it('should tag a readable line with the request id, and leave lines outside a request untagged', () => {
    const logger = new CrossgateLogger('log');

    expect(captureStdout(() => runWithLogContext({ requestId: 'req-0123456789' }, () => logger.log('Refused', 'oauth')))).toMatch(/\[oauth\] \S* ?\[request req-0123456789\] \S*Refused/);
    expect(captureStdout(() => logger.log('Started', 'oauth'))).not.toContain('[request');
  });

  it('should mask properties named after secrets in logged objects', () => {
    const output = captureStdout(() => new CrossgateLogger('log', 'crossgate', 'json').log({ clientId: 'agent-1', client_secret: 'hunter2-hunter2', nested: { Authorization: 'Bearer abc.def' } }, 'oauth'));

    expect(output).toContain('agent-1');
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain('abc.def');
  });
});
