/**
 * `npm start`: builds Crossgate, then runs the API (which starts the embedded PostgreSQL when
 * DATABASE_URL is unset, migrates the database, creates the first admin and seeds demo data) and,
 * once the API answers, the demo MCP server (a resource protected by Crossgate, apps/demo-mcp). The
 * worker runs inside the API process in single-process mode (the default without REDIS_URL), else as
 * a process of its own, started once the API answers. Ctrl-C stops them all.
 * The MCP gateway (apps/mcp-gateway) starts once the API answers too. Unless MCP_GATEWAY_CLIENT_ID/SECRET
 * are set, it runs as the demo data's `mcp-gateway` client, whose secret this script generates on
 * first start into `<CROSSGATE_DATA_DIR>/mcp-gateway-client-secret` (mode 0600) and hands to the API's
 * demo data (DEMO_MCP_GATEWAY_CLIENT_SECRET) and to the gateway; it is never printed.
 * `--no-build` runs what is already built (the Docker image does this); `--no-demo-mcp` leaves the
 * demo MCP server out, `--no-mcp-gateway` the MCP gateway.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`Crossgate needs Node.js 20.19 or newer; this is ${process.version}.\n`);
  process.exit(1);
}

const skipBuild = process.argv.includes('--no-build');
const withDemoMcp = !process.argv.includes('--no-demo-mcp');
const withMcpGateway = !process.argv.includes('--no-mcp-gateway');
for (const [label, script] of skipBuild ? [] : [
  ['Generating the database client', 'generate'],
  ['Compiling the API, worker, demo MCP server and MCP gateway', 'build:server'],
  ['Building the admin UI', 'build:admin'],
]) {
  process.stdout.write(`• ${label}…\n`);
  const result = spawnSync(npm, ['run', '--silent', script], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${label} failed; see the messages above.\n`);
    process.exit(result.status ?? 1);
  }
}

const children = new Map();
let stopping = false;

/**
 * V8's default young generation (16 MB), not a larger one: a 64 MB one scavenged a quarter as often
 * but for 17–24 ms each time instead of 5–9 ms, and at a steady 1,000 exchanges/s those pauses were
 * the latency tail, for no gain in throughput once the audit group commit took one round trip
 * (bench/README.md).
 */
const nodeFlags = ['--enable-source-maps'];

function run(name, entry, env = process.env) {
  const child = spawn(process.execPath, [...nodeFlags, entry], { stdio: 'inherit', env });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`The ${name} stopped (${signal ?? `exit code ${code}`}); stopping Crossgate.\n`);
      stop(code || 1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  return child;
}

function stop(code = 0) {
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) {
    process.exit(code);
  }
  for (const child of children.values()) {
    child.kill('SIGTERM');
  }
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// The same decision the API makes (libs/config, as built above), and every bad variable named now.
const { loadConfigOrExit } = await import('@crossgate/config');
const { singleProcess, seedDemoData, database } = loadConfigOrExit();

/** The demo data's client of the MCP gateway, and the fronted demo resource (apps/api/src/seed/demo-data.ts). */
const demoGateway = { clientId: 'mcp-gateway', resource: 'http://localhost:3200/mcp/notes-gateway' };

/** The demo gateway client's secret, generated on first start and kept beside the embedded PostgreSQL. */
function demoGatewaySecret() {
  const file = path.join(path.resolve(database.dataDir), 'mcp-gateway-client-secret');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') {
      throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

const ownGatewayClient = Boolean(process.env.MCP_GATEWAY_CLIENT_ID || process.env.MCP_GATEWAY_CLIENT_SECRET);
const demoSecret = withMcpGateway && seedDemoData && !ownGatewayClient ? demoGatewaySecret() : undefined;

const port = process.env.PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';
run('API', 'apps/api/dist/main.js', demoSecret === undefined ? process.env : { ...process.env, DEMO_MCP_GATEWAY_CLIENT_SECRET: demoSecret });

// The demo MCP server's authorization server is Crossgate's RAS for it, whose issuer derives from
// Crossgate's public URL; both must name it the same way. So do the gateway's fronted resources.
const demoMcpEnv = { ...process.env, CROSSGATE_URL: process.env.CROSSGATE_URL || process.env.PUBLIC_URL || `http://localhost:${port}` };

// The worker (on its own), the demo MCP server and the MCP gateway start once the API has migrated the database and listens.
const deadline = Date.now() + 120_000;
async function waitForApi() {
  while (!stopping && Date.now() < deadline) {
    try {
      const response = await fetch(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/healthz`);
      if (response.ok) {
        if (!singleProcess) {
          run('worker', 'apps/worker/dist/main.js');
        }
        if (withDemoMcp) {
          run('demo MCP server', 'apps/demo-mcp/dist/main.js', demoMcpEnv);
        }
        if (withMcpGateway) {
          const demoClient = demoSecret === undefined ? {} : { MCP_GATEWAY_CLIENT_ID: demoGateway.clientId, MCP_GATEWAY_CLIENT_SECRET: demoSecret };
          run('MCP gateway', 'apps/mcp-gateway/dist/main.js', { ...demoMcpEnv, ...demoClient });
          if (demoSecret !== undefined) {
            void announceDemoGateway();
          }
        }
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!stopping) {
    process.stderr.write('The API did not come up within two minutes; stopping.\n');
    stop(1);
  }
}
/** Once the gateway serves the demo resource's RFC 9728 metadata, one banner line names it. */
async function announceDemoGateway() {
  const metadata = `http://127.0.0.1:${process.env.MCP_GATEWAY_PORT || '3200'}/.well-known/oauth-protected-resource${new URL(demoGateway.resource).pathname}`;
  while (!stopping && Date.now() < deadline) {
    try {
      if ((await fetch(metadata)).ok) {
        process.stdout.write(`${'  Demo resource'.padEnd(32)}${demoGateway.resource}   (demo data: the demo MCP server behind the gateway's client ${demoGateway.clientId})\n\n`);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

void waitForApi();
