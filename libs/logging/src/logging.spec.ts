import { CrossgateLogger } from './index.ts';

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
});
