import { Controller, Get, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Public } from '../auth/index.ts';
import { MetricsService } from './metrics.service.ts';

/**
 * Prometheus's scrape target, unauthenticated as Prometheus expects (METRICS_ENABLED=false removes
 * it). Its labels carry route templates, scopes and error codes, never ids, tokens or secrets.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
@ApiTags('health')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Public()
  @ApiProduces('text/plain')
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const { contentType, body } = await this.metrics.render();
    response.setHeader('Content-Type', contentType);
    response.setHeader('Cache-Control', 'no-store');
    return body;
  }
}
