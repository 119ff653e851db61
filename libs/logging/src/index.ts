/**
 * @overview What both server processes tell their operators: log lines, Prometheus metrics
 * (metrics.ts) and OpenTelemetry traces (tracing.ts). The logger prints at the configured level
 * (LOG_LEVEL), as one JSON object per line or as readable lines (LOG_FORMAT), each carrying the id
 * of the request or job it belongs to (log-context.ts); Nest's start-up chatter (one line per module
 * and route) is shown only at debug or verbose level.
 */
import { ConsoleLogger, type LogLevel } from '@nestjs/common';

import { currentLogContext } from './log-context.ts';

export * from './log-context.ts';
export * from './metrics.ts';
export { queueTelemetry, startTracing, stopTracing, type TracingOptions } from './tracing.ts';

const bootstrapContexts = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestApplicationContext',
]);

const levelsFrom: Record<string, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export type LogFormat = 'json' | 'pretty';

/**
 * Properties masked wherever they appear in an object that is logged (keys compare
 * case-insensitively). Messages themselves never carry secrets: code logs ids, never values.
 */
const secretKeys = [
  'password',
  'secret',
  'client_secret',
  'clientSecret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'subject_token',
  'actor_token',
  'assertion',
  'client_assertion',
  'authorization',
  'cookie',
  'credential',
  'privateKey',
];

export class CrossgateLogger extends ConsoleLogger {
  private readonly quietBootstrap: boolean;

  /** `processName` is the context of lines without one, and every JSON line's `process`, so the API's and the worker's output can be told apart. */
  constructor(
    level: string,
    private readonly processName = 'crossgate',
    format: LogFormat = 'pretty',
  ) {
    super(processName, { logLevels: levelsFrom[level] ?? levelsFrom['log']!, json: format === 'json', redact: secretKeys });
    this.quietBootstrap = level !== 'debug' && level !== 'verbose';
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    // Nest passes the context as the last parameter, when there is one.
    const context = optionalParams.at(-1);
    if (this.quietBootstrap && typeof context === 'string' && bootstrapContexts.has(context)) {
      return;
    }
    super.log(message, ...optionalParams);
  }

  protected override getJsonLogObject(message: unknown, options: Parameters<ConsoleLogger['getJsonLogObject']>[1]): ReturnType<ConsoleLogger['getJsonLogObject']> {
    return { ...super.getJsonLogObject(message, options), process: this.processName, ...currentLogContext() };
  }

  protected override formatMessage(...args: Parameters<ConsoleLogger['formatMessage']>): string {
    const [logLevel, message, pidMessage, formattedLogLevel, contextMessage, timestampDiff, params] = args;
    const unit = currentLogContext();
    const tag = unit?.requestId !== undefined ? `[request ${unit.requestId}] ` : unit?.jobId !== undefined ? `[job ${unit.jobId}] ` : '';
    return super.formatMessage(logLevel, message, pidMessage, formattedLogLevel, `${contextMessage}${tag}`, timestampDiff, params);
  }
}
