// The run's Redis even when the configuration leaves REDIS_URL unset (queues then default to PostgreSQL).
import { randomBytes } from 'node:crypto';

import { databaseUrlOf, loadConfig } from '@crossgate/config';

import { queueContract } from './queue-contract.ts';

const config = loadConfig();
const namespace = () => randomBytes(4).toString('hex');

queueContract('Redis', () => ({ kind: 'redis', url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', prefix: `${config.redis.prefix}:contract-${namespace()}` }));
queueContract('PostgreSQL', () => ({ kind: 'postgres', databaseUrl: databaseUrlOf(config), schema: `bullmq_contract_${namespace()}` }));
