/** Shared HTTP error mapping: the admin API's problem filter, registered for every route (the OAuth endpoints apply OAuthErrorFilter themselves). */
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { ProblemFilter } from './problem.filter.ts';

@Module({ providers: [{ provide: APP_FILTER, useClass: ProblemFilter }] })
export class HttpModule {}
