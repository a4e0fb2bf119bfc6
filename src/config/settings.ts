import { readFileSync } from 'node:fs';

/**
 * Every setting Taishi reads, in one table. The README's settings table and docker-compose.yml are
 * checked against this list by tests, so a setting cannot exist without being documented.
 */
export class ConfigError extends Error {
  constructor(readonly variable: string, readonly accepted: string, readonly got: string | undefined) {
    super(`Invalid setting ${variable}=${JSON.stringify(got ?? '')}: expected ${accepted}`);
  }
}

interface Setting<T> {
  doc: string;
  accepted: string;
  default?: string;
  parse(raw: string): T | undefined;
  secret?: boolean;
}

const integer = (min: number, max: number) => (raw: string) => {
  if (!/^-?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
};
const boolean = (raw: string) =>
  ({ true: true, '1': true, yes: true, false: false, '0': false, no: false })[raw.toLowerCase()] as boolean | undefined;
const text = (raw: string) => raw;
const nonEmpty = (raw: string) => (raw.trim() ? raw : undefined);
const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string) =>
    values.includes(raw as T) ? (raw as T) : undefined;
const url =
  (...protocols: string[]) =>
  (raw: string) => {
    try {
      const u = new URL(raw);
      return protocols.includes(u.protocol) ? raw : undefined;
    } catch {
      return undefined;
    }
  };
const byteSize = (raw: string) => {
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Number(m[1]) * unit;
};

// Keeps each entry's literal type, so `default` presence and the parsed type are visible to Settings.
function setting<T, S extends Setting<T>>(s: S & Setting<T>): S {
  return s;
}

export const SETTINGS = {
  TAISHI_CONFIG_FILE: setting({
    doc: 'Optional file of KEY=VALUE lines read before the environment; the environment wins.',
    accepted: 'a readable file path',
    parse: nonEmpty,
  }),
  TAISHI_PORT: setting({ doc: 'HTTP port of the API and console.', accepted: 'an integer 1-65535', default: '3000', parse: integer(1, 65535) }),
  TAISHI_HOST: setting({ doc: 'Address the HTTP server binds to.', accepted: 'an IP address or host name', default: '0.0.0.0', parse: nonEmpty }),
  TAISHI_DATA_DIR: setting({
    doc: 'Folder for the embedded database and other local state.',
    accepted: 'a folder path',
    default: './data',
    parse: nonEmpty,
  }),
  DATABASE_URL: setting({
    doc: 'PostgreSQL server to use instead of the embedded database.',
    accepted: 'a postgres:// or postgresql:// URL',
    parse: url('postgres:', 'postgresql:'),
    secret: true,
  }),
  TAISHI_EMBEDDED_DB_PORT: setting({
    doc: 'Loopback port of the embedded database; 0 picks a free one.',
    accepted: 'an integer 0-65535',
    default: '0',
    parse: integer(0, 65535),
  }),
  TAISHI_ADMIN_PASSWORD: setting({
    doc: 'Password of the `admin` user created on first start; when unset one is generated and printed once.',
    accepted: 'at least 12 characters',
    parse: (raw: string) => (raw.length >= 12 ? raw : undefined),
    secret: true,
  }),
  TAISHI_SESSION_TTL_MINUTES: setting({
    doc: 'Lifetime of a login session token.',
    accepted: 'an integer 5-10080',
    default: '480',
    parse: integer(5, 10080),
  }),
  TAISHI_LOCKOUT_THRESHOLD: setting({
    doc: 'Failed logins in a row that lock an account (MLPS login-failure handling).',
    accepted: 'an integer 1-100',
    default: '5',
    parse: integer(1, 100),
  }),
  TAISHI_LOCKOUT_MINUTES: setting({ doc: 'How long a locked account stays locked.', accepted: 'an integer 1-1440', default: '15', parse: integer(1, 1440) }),
  TAISHI_BODY_LIMIT: setting({
    doc: 'Largest accepted request body; larger bodies get 413.',
    accepted: 'a size such as 512kb, 10mb',
    default: '10mb',
    parse: byteSize,
  }),
  TAISHI_TRUST_PROXY: setting({
    doc: 'Take the client address from X-Forwarded-For (only behind a reverse proxy you run).',
    accepted: 'true or false',
    default: 'false',
    parse: boolean,
  }),
  TAISHI_LOG_LEVEL: setting({
    doc: 'Least severe log level written.',
    accepted: 'error, warn, log, debug or verbose',
    default: 'log',
    parse: oneOf('error', 'warn', 'log', 'debug', 'verbose'),
  }),
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
type Parsed<K extends SettingName> = Exclude<ReturnType<(typeof SETTINGS)[K]['parse']>, undefined>;
export type Settings = { [K in SettingName]: (typeof SETTINGS)[K] extends { default: string } ? Parsed<K> : Parsed<K> | undefined };

function readConfigFile(file: string): Record<string, string> {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('TAISHI_CONFIG_FILE', 'a readable file path', `${file} (${(error as Error).message})`);
  }
  const values: Record<string, string> = {};
  for (const [index, line] of content.split(/\r?\n/).entries()) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) throw new ConfigError('TAISHI_CONFIG_FILE', `KEY=VALUE lines (line ${index + 1} is not)`, file);
    values[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** Parses and validates all settings; throws ConfigError naming the first bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const fromFile = env.TAISHI_CONFIG_FILE ? readConfigFile(env.TAISHI_CONFIG_FILE) : {};
  for (const key of Object.keys(fromFile)) {
    if (!(key in SETTINGS)) throw new ConfigError(key, `a known setting (see README); found in ${env.TAISHI_CONFIG_FILE}`, fromFile[key]);
  }
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const raw = env[name] ?? fromFile[name] ?? spec.default;
    if (raw === undefined || raw === '') {
      result[name] = undefined;
      continue;
    }
    const value = spec.parse(raw);
    if (value === undefined) throw new ConfigError(name, spec.accepted, spec.secret ? '(hidden)' : raw);
    result[name] = value;
  }
  return result as Settings;
}
