import type { FastifyServerOptions } from 'fastify';
import pinoPretty from 'pino-pretty';
import type { GatewayConfig } from '../config';

/** Whether log lines are written for a person: asked for, or `auto` in demo mode or on a terminal. */
export const wantsPrettyLogs = (
  config: Pick<GatewayConfig, 'logFormat' | 'demo'>,
  stdoutIsTerminal: boolean
): boolean => config.logFormat === 'pretty' || (config.logFormat === 'auto' && (config.demo || stdoutIsTerminal));

/**
 * Fastify's logger: pino's JSON lines for log collectors, or pino-pretty's readable lines.
 * pino-pretty runs as a synchronous stream in this thread rather than as a pino transport:
 * a transport's worker resolves `pino-pretty` by name at run time, which a bundled build
 * installed by npx cannot count on, and a synchronous stream loses no line at exit.
 */
export function loggerOptions(
  config: Pick<GatewayConfig, 'logFormat' | 'logLevel' | 'demo'>,
  stdoutIsTerminal = process.stdout.isTTY === true
): FastifyServerOptions['logger'] {
  if (!wantsPrettyLogs(config, stdoutIsTerminal)) {
    return { level: config.logLevel };
  }
  return {
    level: config.logLevel,
    stream: pinoPretty({
      colorize: stdoutIsTerminal,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    }),
  };
}
