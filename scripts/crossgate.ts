/**
 * `crossgate`: the command line for admins and automation, over the admin API with an API token.
 *
 *   crossgate connections rotate <connection id>   rotate now and follow it to the end
 *   crossgate connections rotation <connection id> show where the rotation stands
 *
 * Environment: CROSSGATE_URL (default http://localhost:3000) and CROSSGATE_TOKEN (an API token, sent
 * as a Bearer token). Progress is a bar on a terminal and one line per change otherwise. Exit codes:
 * 0 done, 1 the rotation failed, 2 usage or API error.
 */
const usage = `usage: crossgate connections rotate <connection-id> [--timeout <seconds>]
       crossgate connections rotation <connection-id>
environment: CROSSGATE_URL (default http://localhost:3000), CROSSGATE_TOKEN (an API token)
`;

interface RotationView {
  status: 'idle' | 'rotating' | 'failed';
  jobId: string | null;
  step: string | null;
  progress: number;
  error: string | null;
  lastRotatedAt: string | null;
  nextRotationAt: string | null;
}

class CliError extends Error {}

function settings() {
  const token = process.env['CROSSGATE_TOKEN'];
  if (!token) {
    throw new CliError('Set CROSSGATE_TOKEN to an API token (Settings → API tokens in the admin UI).');
  }
  return { baseUrl: (process.env['CROSSGATE_URL'] ?? 'http://localhost:3000').replace(/\/+$/, ''), token };
}

async function api<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  const { baseUrl, token } = settings();
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch (error) {
    throw new CliError(`Crossgate at ${baseUrl} does not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text.slice(0, 300);
    try {
      detail = (JSON.parse(text) as { message?: string; detail?: string }).message ?? (JSON.parse(text) as { detail?: string }).detail ?? detail;
    } catch {
      // Not JSON: show the start of the body.
    }
    throw new CliError(`${method} ${path} answered ${response.status}: ${detail}`);
  }
  return JSON.parse(text) as T;
}

function bar(view: RotationView, width = 30): string {
  const filled = Math.round((view.progress / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(view.progress).padStart(3)}% ${view.step ?? ''}`;
}

async function rotate(connectionId: string, timeoutSeconds: number): Promise<number> {
  const { jobId } = await api<{ jobId: string }>('POST', `/api/connections/${encodeURIComponent(connectionId)}/rotate`);
  const tty = process.stdout.isTTY === true;
  process.stdout.write(`Rotation of connection ${connectionId} queued as job ${jobId}\n`);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const view = await api<RotationView>('GET', `/api/connections/${encodeURIComponent(connectionId)}/rotation`);
    // Until the worker takes the job, the state is the previous rotation's: shown as queued.
    const ours = view.jobId === jobId;
    const shown: RotationView = ours ? view : { ...view, status: 'rotating', step: 'queued', progress: 0 };
    const line = tty ? bar(shown) : `${shown.status} ${shown.step ?? '-'} ${shown.progress}%`;
    if (line !== last) {
      process.stdout.write(tty ? `\r${line}` : `${line}\n`);
      last = line;
    }
    if (ours && view.status === 'failed') {
      process.stdout.write(`${tty ? '\n' : ''}Rotation failed: ${view.error ?? 'no reason recorded'} (the worker retries with backoff; the old credential stays active)\n`);
      return 1;
    }
    if (ours && view.status === 'idle' && view.step === 'done') {
      process.stdout.write(`${tty ? '\n' : ''}Rotated at ${view.lastRotatedAt}; next rotation ${view.nextRotationAt ?? 'not scheduled'}\n`);
      return 0;
    }
    if (Date.now() > deadline) {
      process.stdout.write(`${tty ? '\n' : ''}Still ${view.status} at ${view.step ?? '-'} after ${timeoutSeconds} s; see GET /api/connections/${connectionId}/rotation\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(argv: string[]): Promise<number> {
  const [group, command, id, ...rest] = argv;
  if (group !== 'connections' || (command !== 'rotate' && command !== 'rotation') || !id) {
    process.stderr.write(usage);
    return 2;
  }
  if (command === 'rotation') {
    process.stdout.write(`${JSON.stringify(await api<RotationView>('GET', `/api/connections/${encodeURIComponent(id)}/rotation`), null, 2)}\n`);
    return 0;
  }
  const timeoutIndex = rest.indexOf('--timeout');
  const timeout = timeoutIndex >= 0 ? Number(rest[timeoutIndex + 1]) : 300;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    process.stderr.write(usage);
    return 2;
  }
  return rotate(id, timeout);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`crossgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
