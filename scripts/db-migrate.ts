/** Applies pending migrations to DATABASE_URL (the API also does this when it starts). */
import { loadConfig } from '@crossgate/config';
import { applyMigrations, repositoryMigrations } from '@crossgate/store';

const applied = await applyMigrations(loadConfig().database.url, repositoryMigrations);
process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'The database is up to date.\n');
// The schema engine leaves one idle connection behind that keeps Node alive for about ten seconds.
process.exit(0);
