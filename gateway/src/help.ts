import { SETTINGS } from './config';
import { GATEWAY_VERSION } from './version';

/** The flag that sets an environment variable: lower case, dashes, without the GATEWAY_ prefix. */
export const flagFor = (name: string): string =>
  `--${name
    .replace(/^GATEWAY_/, '')
    .toLowerCase()
    .replace(/_/g, '-')}`;

/** `timescaledb-gateway --help`: every setting of SETTINGS with its flag, default and meaning. */
export function formatHelp(): string {
  const lines = [
    `timescaledb-gateway ${GATEWAY_VERSION}: token-secured REST gateway in front of TimescaleDB / PostgreSQL`,
    '',
    'Usage: timescaledb-gateway [--flag=value …]',
    '       timescaledb-gateway --demo        embedded TimescaleDB, demo data and a demo token',
    '',
    'Settings (environment variable or flag; a flag wins):',
  ];
  for (const s of SETTINGS) {
    lines.push('', `  ${flagFor(s.name)}, ${s.name}  (default: ${s.default})`, `      ${s.description}`);
  }
  lines.push('', '  --help, -h', '      This text');
  return lines.join('\n');
}

/** Whether the command line asks for the help text instead of a start. */
export const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === '--help' || a === '-h');
