/**
 * @overview The console logger both server processes use: the configured level (LOG_LEVEL), with
 * Nest's start-up chatter (one line per module and route) shown only at debug or verbose level.
 */
import { ConsoleLogger, type LogLevel } from '@nestjs/common';

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

export class CrossgateLogger extends ConsoleLogger {
  private readonly quietBootstrap: boolean;

  /** `processName` prefixes every line, so the API's and the worker's output can be told apart. */
  constructor(level: string, processName = 'crossgate') {
    super(processName, { logLevels: levelsFrom[level] ?? levelsFrom['log']! });
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
}
