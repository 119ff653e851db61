/** Applies pending migrations to DATABASE_URL (the API also does this when it starts). */
import { loadConfig } from '@crossgate/config';
import { applyMigrations, repositoryMigrations } from '@crossgate/store';

const applied = await applyMigrations(loadConfig().database.url, repositoryMigrations);
process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'The database is up to date.\n');
// The WebAssembly schema engine leaves a ten-second timer behind (its migration-lock timeout).
process.exit(0);
