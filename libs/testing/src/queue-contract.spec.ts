// The run's Redis where it has one (the Redis half is skipped without), and its PostgreSQL always.
import { randomBytes } from 'node:crypto';

import { databaseUrlOf, loadConfig } from '@crossgate/config';

import { queueContract } from './queue-contract.ts';
import { describeWithRedis, localRedisUrl, testRedisUrl } from './test-server.ts';

const config = loadConfig();
const namespace = () => randomBytes(4).toString('hex');

queueContract('Redis', () => ({ kind: 'redis', url: testRedisUrl() ?? localRedisUrl, prefix: `${config.redis.prefix}:contract-${namespace()}` }), describeWithRedis);
queueContract('PostgreSQL', () => ({ kind: 'postgres', databaseUrl: databaseUrlOf(config), schema: `bullmq_contract_${namespace()}` }));
