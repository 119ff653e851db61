/**
 * Applies pending migrations to DATABASE_URL, or without it to the embedded PostgreSQL (the API also
 * does this when it starts).
 */
import { loadConfig } from '@crossgate/config';
import { applyMigrations, openDatabase, repositoryMigrations } from '@crossgate/store';

const database = await openDatabase(loadConfig().database, { access: 'join-or-own' });
const applied = await applyMigrations(database.url, repositoryMigrations);
process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'The database is up to date.\n');
await database.stop();
// The WebAssembly schema engine leaves a ten-second timer behind (its migration-lock timeout).
process.exit(0);
