/**
 * `npm run lint`: ESLint with zero warnings allowed. The module-boundary rule reads Nx's project
 * graph, which Nx computes on demand; on a fresh clone there is none yet, and the rule would be
 * skipped with a warning, so the graph is computed first.
 */
import { spawnSync } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const graph = spawnSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', 'show', 'projects'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
if (graph.status !== 0) {
  process.stderr.write('Could not compute the Nx project graph; module boundaries cannot be checked.\n');
  process.exit(graph.status ?? 1);
}
const lint = spawnSync(process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', ...process.argv.slice(2), '.'], {
  env,
  stdio: 'inherit',
});
process.exit(lint.status ?? 1);
