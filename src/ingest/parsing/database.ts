import { classify } from './actions.js';
import { setSource, setTargetUser, setUser, setVendor, toInt } from './fields.js';
import type { NormalizedEvent } from '../../shared/event-schema.js';
import { parseDateTime, toIso } from './time.js';

/**
 * Database server logs: PostgreSQL (stderr/csv-less text with any usual log_line_prefix, or
 * through syslog as "postgres[pid]: [3-1] …") and MySQL/MariaDB (error log of 5.5 to 8.x, the
 * general query log, or through syslog as "mysqld: …"). Logins and refused logins become
 * `database_login`; SQL statements are sorted into privilege changes (GRANT, REVOKE, CREATE/ALTER/
 * DROP USER or ROLE, SET PASSWORD), schema changes (other DDL) and plain queries. The statement
 * text is `vendor.statement`, the database `vendor.database`.
 */

// PostgreSQL marks its levels with two blanks after the colon
const PG_LEVEL_RE = /(?:^| )(LOG|FATAL|ERROR|WARNING|PANIC|DETAIL|HINT|STATEMENT|NOTICE|INFO|DEBUG\d?|CONTEXT):  /;
const PG_TIME_RE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)(?: ([A-Z]{2,5}|[+-]\d\d(?::?\d\d)?))?/;
// MySQL 5.7+/8.0 error log: "2026-03-14T01:02:03.456789Z 12 [Warning] [MY-010055] [Server] …"
const MYSQL_ERROR_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?) (\d+) \[(\w+)\] (?:\[(MY-\d+)\] \[(\w+)\] )?(.*)$/;
// MySQL ≤ 5.6 and MariaDB: "150314  9:00:00 [Warning] …", "2026-03-14  9:00:00 12 [Warning] …"
const MYSQL_OLD_RE = /^(\d{6}|\d{4}-\d\d-\d\d) {1,2}(\d{1,2}:\d\d:\d\d) (?:(\d+) )?\[(\w+)\] (.*)$/;
// general query log: "2026-03-14T01:02:03.456789Z\t   12 Query\tSELECT 1"
const MYSQL_GENERAL_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s+(\d+) (Connect|Query|Quit|Init DB|Execute|Prepare|Change user)\t?(.*)$/;
const MYSQL_DENIED_RE = /^Access denied for user '([^']*)'@'([^']*)'(?: \(using password: (YES|NO)\))?/;
// "app@203.0.113.5 on appdb using TCP/IP", "root@localhost on  using Socket"
const MYSQL_CONNECT_RE = /^(\S*)@(\S+) (?:as \S+ )?on (\S*) ?using (.*)$/;

/** Cheap first test, for lines that start with a date. */
export function looksLikeDatabase(text: string): boolean {
  // "2024-…" or MySQL 5.5's "240314 …": anything else starting with a digit (an access log's
  // client address) is turned away before a regular expression runs
  if (text.charCodeAt(4) !== 45 /* - */ && text.charCodeAt(6) !== 32) return false;
  return MYSQL_ERROR_RE.test(text) || MYSQL_GENERAL_RE.test(text) || MYSQL_OLD_RE.test(text) || (PG_TIME_RE.test(text) && PG_LEVEL_RE.test(text));
}

export function parseDatabase(text: string, event: NormalizedEvent, zone: string): boolean {
  return parseMysql(text, event, zone) || parsePostgres(text, event, zone);
}

function setModule(event: NormalizedEvent, module: 'postgresql' | 'mysql', dataset: string): void {
  event.event.module = module;
  event.event.dataset = `${module}.${dataset}`;
}

/** A PostgreSQL line, with its own timestamp or (from syslog) without. */
export function parsePostgres(text: string, event: NormalizedEvent, zone: string): boolean {
  const level = PG_LEVEL_RE.exec(text);
  if (!level) return false;
  setModule(event, 'postgresql', 'log');
  const prefix = text.slice(0, level.index);
  const message = text.slice(level.index + level[0].length);
  event.log = { ...event.log, level: level[1] };
  applyPgPrefix(prefix, event, zone);
  pgMessage(level[1], message, event);
  return true;
}

function applyPgPrefix(prefix: string, event: NormalizedEvent, zone: string): void {
  const time = PG_TIME_RE.exec(prefix);
  if (time) {
    const offset = time[2] && /^[+-]/.test(time[2]) ? time[2] : time[2] === 'UTC' || time[2] === 'GMT' ? 'Z' : '';
    const ms = parseDateTime(`${time[1]}${offset}`, zone);
    if (Number.isFinite(ms)) event['@timestamp'] = toIso(ms);
  }
  const pid = /\[(\d+)\]/.exec(prefix);
  if (pid) event.process = { ...event.process, name: event.process?.name ?? 'postgres', pid: Number(pid[1]) };
  // pgBadger's "user=%u,db=%d,app=%a,client=%h", Debian's "%q%u@%d", "%h(%p)"
  const keyed = /user=([^,\s]*),db=([^,\s]*)(?:,app=([^,]*?))?(?:,client=(\S+?))?(?: |$)/.exec(prefix);
  const at = keyed ? null : /(?:^| )([\w.$-]+)@([\w.$-]+)(?: |$)/.exec(prefix);
  const user = keyed?.[1] ?? at?.[1];
  const db = keyed?.[2] ?? at?.[2];
  setUser(event, user === '[unknown]' ? undefined : user);
  if (db && db !== '[unknown]') setVendor(event, 'database', db);
  if (keyed?.[3]) setVendor(event, 'application_name', keyed[3]);
  const client = keyed?.[4] ?? /(?:^| )([\d.]+|[\da-f:]+:[\da-f:]*|\[local\])\((\d+)\)/.exec(prefix)?.[0].trim();
  if (client && client !== '[local]') {
    const withPort = /^(.*)\((\d+)\)$/.exec(client);
    if (withPort) setSource(event, withPort[1], withPort[2]);
    else setSource(event, client);
  }
}

const PG_PASSWORD_RE = /^password authentication failed for user "([^"]*)"/;
const PG_HBA_RE = /^(?:no pg_hba\.conf entry|pg_hba\.conf rejects connection) for host "([^"]*)", user "([^"]*)", database "([^"]*)"(?:, (.*))?/;
const PG_NO_ROLE_RE = /^role "([^"]*)" does not exist/;
const PG_NO_DB_RE = /^database "([^"]*)" does not exist/;
const PG_AUTHORIZED_RE = /^connection authorized: user=(\S+)(?: database=(\S+))?/;
const PG_RECEIVED_RE = /^connection received: host=(\S+)(?: port=(\d+))?/;
const PG_STATEMENT_RE = /^(?:duration: [\d.]+ ms {1,2})?(?:statement|execute [^:]*): ([\s\S]*)$/;

function pgMessage(level: string, message: string, event: NormalizedEvent): void {
  let m = PG_PASSWORD_RE.exec(message) ?? PG_NO_ROLE_RE.exec(message);
  if (m && level === 'FATAL') return loginFailed(event, m[1], message);
  m = PG_HBA_RE.exec(message);
  if (m) {
    setSource(event, m[1]);
    setVendor(event, 'database', m[3]);
    return loginFailed(event, m[2], message);
  }
  m = PG_NO_DB_RE.exec(message);
  if (m && level === 'FATAL') {
    setVendor(event, 'database', m[1]);
    return loginFailed(event, event.user?.name, message);
  }
  m = PG_AUTHORIZED_RE.exec(message);
  if (m) {
    classify(event, 'database_login', 'success');
    setUser(event, m[1]);
    if (m[2]) setVendor(event, 'database', m[2]);
    return;
  }
  m = PG_RECEIVED_RE.exec(message);
  if (m) {
    classify(event, 'service_connection', 'success');
    if (m[1] !== '[local]') setSource(event, m[1], m[2]);
    return;
  }
  m = PG_STATEMENT_RE.exec(message);
  if (m && level === 'LOG') return statement(event, m[1]);
  if (level === 'ERROR' && message.startsWith('permission denied')) {
    classify(event, 'database_query', 'failure');
    event.event.reason = message;
    return;
  }
  event.event.reason = message;
}

function loginFailed(event: NormalizedEvent, user: string | undefined, reason: string): void {
  classify(event, 'database_login', 'failure');
  setUser(event, user);
  event.event.reason = reason;
}

/** MySQL or MariaDB: error log, general log, or an error-log message that came over syslog. */
export function parseMysql(text: string, event: NormalizedEvent, zone: string): boolean {
  let m = MYSQL_ERROR_RE.exec(text);
  if (m) {
    setModule(event, 'mysql', 'error');
    setMysqlTime(event, m[1], zone);
    setVendor(event, 'thread_id', toInt(m[2]));
    event.log = { ...event.log, level: m[3] };
    if (m[4]) event.event.code = m[4];
    if (m[5]) setVendor(event, 'subsystem', m[5]);
    mysqlErrorMessage(m[6], event);
    return true;
  }
  m = MYSQL_GENERAL_RE.exec(text);
  if (m) {
    setModule(event, 'mysql', 'general');
    setMysqlTime(event, m[1], zone);
    setVendor(event, 'thread_id', toInt(m[2]));
    setVendor(event, 'command', m[3]);
    mysqlGeneral(m[3], m[4], event);
    return true;
  }
  m = MYSQL_OLD_RE.exec(text);
  if (m) {
    setModule(event, 'mysql', 'error');
    const day = m[1].length === 6 ? `20${m[1].slice(0, 2)}-${m[1].slice(2, 4)}-${m[1].slice(4)}` : m[1];
    setMysqlTime(event, `${day} ${m[2].padStart(8, '0')}`, zone);
    if (m[3]) setVendor(event, 'thread_id', toInt(m[3]));
    event.log = { ...event.log, level: m[4] };
    mysqlErrorMessage(m[5], event);
    return true;
  }
  return false;
}

/** `mysqld[pid]: …` over syslog: one of the file formats, or "[Warning] message", or the message alone. */
export function parseMysqlSyslog(message: string, event: NormalizedEvent, zone: string): boolean {
  if (parseMysql(message, event, zone)) return true;
  setModule(event, 'mysql', 'error');
  const level = /^\[(\w+)\] (?:\[(MY-\d+)\] \[(\w+)\] )?/.exec(message);
  if (level) {
    event.log = { ...event.log, level: level[1] };
    if (level[2]) event.event.code = level[2];
  }
  mysqlErrorMessage(level ? message.slice(level[0].length) : message, event);
  return true;
}

function setMysqlTime(event: NormalizedEvent, text: string, zone: string): void {
  const ms = parseDateTime(text, zone);
  if (Number.isFinite(ms)) event['@timestamp'] = toIso(ms);
}

function mysqlErrorMessage(message: string, event: NormalizedEvent): void {
  const denied = MYSQL_DENIED_RE.exec(message);
  if (denied) {
    loginFailed(event, denied[1], message);
    setSource(event, denied[2]);
    if (denied[3]) setVendor(event, 'using_password', denied[3] === 'YES');
    return;
  }
  event.event.reason = message;
}

function mysqlGeneral(command: string, argument: string, event: NormalizedEvent): void {
  if (command === 'Connect') {
    const denied = MYSQL_DENIED_RE.exec(argument);
    if (denied) return mysqlErrorMessage(argument, event);
    const m = MYSQL_CONNECT_RE.exec(argument);
    classify(event, 'database_login', 'success');
    if (m) {
      setUser(event, m[1]);
      setSource(event, m[2]);
      if (m[3]) setVendor(event, 'database', m[3]);
      setVendor(event, 'protocol', m[4]);
    }
    return;
  }
  if (command === 'Init DB') setVendor(event, 'database', argument);
  if (command === 'Query' || command === 'Execute') statement(event, argument);
}

// GRANT/REVOKE, CREATE/ALTER/DROP/RENAME USER or ROLE, SET PASSWORD: who gets rights or credentials
const PRIVILEGE_RE = /^\s*(?:GRANT|REVOKE|(?:CREATE|ALTER|DROP|RENAME) (?:USER|ROLE)|SET PASSWORD)\b/i;
const DDL_RE = /^\s*(?:CREATE|ALTER|DROP|TRUNCATE|RENAME|COMMENT ON)\b/i;
// the account a privilege statement is about: "CREATE USER 'bob'@'%'", "ALTER ROLE app", "… TO bob"
const ACCOUNT_RE = /^\s*(?:(?:CREATE|ALTER|DROP|RENAME) (?:USER|ROLE)(?: IF (?:NOT )?EXISTS)?|SET PASSWORD FOR) +([`'"]?)([^`'"\s@;]+)\1/i;
const GRANTEE_RE = /\b(?:TO|FROM) +([`'"]?)([^`'"\s@;,]+)\1/i;

// passwords in CREATE/ALTER USER and SET PASSWORD are not copied into vendor.statement
const SECRET_RE = /\b(IDENTIFIED (?:WITH \S+ )?BY|PASSWORD)( +)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/gi;

function statement(event: NormalizedEvent, sql: string): void {
  const text = sql.trim();
  setVendor(event, 'statement', text.replace(SECRET_RE, "$1$2'***'"));
  if (PRIVILEGE_RE.test(text)) {
    classify(event, 'database_privilege_change', 'success');
    const account = ACCOUNT_RE.exec(text) ?? (/^\s*(?:GRANT|REVOKE)\b/i.test(text) ? GRANTEE_RE.exec(text) : null);
    if (account) setTargetUser(event, account[2]);
  } else if (DDL_RE.test(text)) classify(event, 'database_schema_change', 'success');
  else classify(event, 'database_query', 'success');
}
