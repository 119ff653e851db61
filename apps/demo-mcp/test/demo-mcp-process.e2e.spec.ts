/**
 * The demo MCP server as `npm start` runs it: its own process from `src/main.ts` (under tsx), which
 * refuses a bad configuration with every problem named, and otherwise prints where it is.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

function startProcess(environment: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/demo-mcp/src/main.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, NO_COLOR: '1', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

describe('the demo MCP server process', () => {
  it('should exit with code 1 naming every bad variable', async () => {
    const { exited, output } = startProcess({ DEMO_MCP_PORT: 'many', CROSSGATE_URL: 'crossgate' });

    const [code] = await exited;

    expect(code).toBe(1);
    expect(output()).toContain('Invalid demo MCP server configuration');
    expect(output()).toContain('DEMO_MCP_PORT:');
    expect(output()).toContain('CROSSGATE_URL: must be an http:// or https:// URL');
  });

  it('should report the missing introspection client once the variables parse', async () => {
    const { exited, output } = startProcess({ DEMO_MCP_TOKEN_VALIDATION: 'introspection' });

    const [code] = await exited;

    expect(code).toBe(1);
    expect(output()).toContain('DEMO_MCP_CLIENT_ID: is required');
    expect(output()).toContain('DEMO_MCP_CLIENT_SECRET: is required');
  });

  it('should start, print its resource and issuer, and stop on SIGTERM, also while Crossgate is unreachable', async () => {
    const { child, exited, output } = startProcess({
      DEMO_MCP_PORT: '0',
      DEMO_MCP_PUBLIC_URL: 'http://mcp.example.test',
      CROSSGATE_URL: 'http://127.0.0.1:1',
    });
    const deadline = Date.now() + 20_000;
    while (!output().includes('tokens are refused until') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(output()).toContain('Demo MCP server is up: http://mcp.example.test/mcp');
    expect(output()).toContain('Authorization server         http://127.0.0.1:1/ras/demo-mcp');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });
});
