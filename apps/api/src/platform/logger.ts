import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** Nest's start-up chatter: one line per module and route. Shown only at debug or verbose level. */
const bootstrapContexts = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

const levelsFrom: Record<string, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** The console logger at the configured level, without the start-up chatter unless asked for. */
export class CrossgateLogger extends ConsoleLogger {
  private readonly quietBootstrap: boolean;

  constructor(level: string) {
    super('crossgate', { logLevels: levelsFrom[level] ?? levelsFrom['log']! });
    this.quietBootstrap = level !== 'debug' && level !== 'verbose';
  }

  override log(message: unknown, context?: string): void {
    if (this.quietBootstrap && context && bootstrapContexts.has(context)) {
      return;
    }
    super.log(message, context);
  }
}
