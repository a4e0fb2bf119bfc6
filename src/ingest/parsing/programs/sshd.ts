import { classify } from '../actions.js';
import { setDestination, setSource, setUser, setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { parsePam } from './pam.js';

/**
 * OpenSSH server messages. Patterns are grouped by the message's first word so a line is tested
 * against two or three expressions, not all of them. User names are matched lazily with `.*?`
 * because brute-force tools try empty names and names with spaces.
 */
const ACCEPTED_RE = /^Accepted (\S+) for (.*?) from (\S+) port (\d+)(?: ssh2)?(?:: (.*))?$/;
const FAILED_RE = /^Failed (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)/;
const INVALID_USER_RE = /^Invalid user (.*?) from (\S+)(?: port (\d+))?$/;
const USERAUTH_INVALID_RE = /^input_userauth_request: invalid user (.*)$/;
const REVERSE_MAPPING_RE = /^reverse mapping checking getaddrinfo for (\S+) \[([^\]]+)\] failed/;
const ADDRESS_MAPS_RE = /^Address (\S+) maps to (\S+), but this does not map back to the address/;
const RECEIVED_DISCONNECT_RE = /^Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): ?(.*)$/;
const DISCONNECTED_RE = /^Disconnected from (?:(?:invalid |authenticating )?user (.*?) )?(\S+) port (\d+)$/;
const CONNECTION_CLOSED_RE = /^Connection (?:closed|reset) by (?:(?:invalid |authenticating )?user (.*?) )?(\S+)(?: port (\d+))?$/;
const CONNECTION_FROM_RE = /^Connection from (\S+) port (\d+) on (\S+) port (\d+)/;
const TOO_MANY_RE = /^Disconnecting(?: (?:invalid |authenticating )?user (.*?) (\S+) port (\d+))?: Too many authentication failures(?: for (?:invalid user )?(.*))?$/;
const MAX_ATTEMPTS_RE = /^maximum authentication attempts exceeded for (?:invalid user )?(.*?) from (\S+) port (\d+)/;
const NO_IDENT_RE = /^Did not receive identification string from (\S+)(?: port (\d+))?$/;
const BAD_PROTOCOL_RE = /^(?:Bad protocol version identification .* from|Unable to negotiate with|Protocol major versions differ for|kex_exchange_identification: .* from|banner exchange: Connection from) (\S+?)(?:,| port (\d+)|:|$)/;
const NOT_ALLOWED_RE = /^User (\S+) from (\S+) not allowed because (.*)$/;
const PAM_FAILURE_RE = /^PAM: Authentication failure for (?:illegal user )?(\S+) from (\S+)$/;
// OpenSSH 3.x-5.x: "PAM: User not known to the underlying authentication module for illegal user x from y"
const PAM_UNKNOWN_RE = /^PAM: User not known to the underlying authentication module for (?:illegal |invalid )?user (.*?) from (\S+)$/;
// "subsystem request for sftp by user alice" (OpenSSH ≥ 6.x names the user; older ones do not)
const SUBSYSTEM_RE = /^subsystem request for (\S+)(?: by user (\S+))?/;
// sshd's own PAM glue: "PAM service(sshd) ignoring max retries; 6 > 3"
const PAM_MAX_RETRIES_RE = /^PAM service\(\S+\) ignoring max retries; (\d+) > (\d+)$/;
const SERVER_LISTENING_RE = /^Server listening on (\S+) port (\d+)/;

const PREAUTH = ' [preauth]';

export function parseSshd(message: string, event: NormalizedEvent): boolean {
  let text = message.endsWith(PREAUTH) ? message.slice(0, -PREAUTH.length) : message;
  // the prefixes sshd puts on its own log levels; the syslog severity already says as much
  if (text.startsWith('error: ')) text = text.slice(7);
  else if (text.startsWith('fatal: ')) text = text.slice(7);

  const space = text.indexOf(' ');
  const first = space < 0 ? text : text.slice(0, space);
  switch (first) {
    case 'Accepted':
      return accepted(text, event);
    case 'Failed':
      return failed(text, event);
    case 'Invalid':
      return invalidUser(INVALID_USER_RE.exec(text), event);
    case 'input_userauth_request:':
      return invalidUser(USERAUTH_INVALID_RE.exec(text), event);
    case 'reverse':
      return reverseMapping(REVERSE_MAPPING_RE.exec(text), 2, 1, event);
    case 'Address':
      return reverseMapping(ADDRESS_MAPS_RE.exec(text), 1, 2, event);
    case 'Received':
      if (text.startsWith('Received signal ')) return serviceStopped(event);
      return receivedDisconnect(text, event);
    case 'Disconnected':
      return disconnected(DISCONNECTED_RE.exec(text), 1, 2, 3, event);
    case 'Connection':
      if (text.startsWith('Connection from ')) return connectionFrom(text, event);
      return disconnected(CONNECTION_CLOSED_RE.exec(text), 1, 2, 3, event);
    case 'Disconnecting:':
    case 'Disconnecting':
      return tooMany(text, event);
    case 'maximum':
      return maxAttempts(text, event);
    case 'Did':
      return noIdentification(text, event);
    case 'Write':
    case 'Read':
      // "fatal: Write failed: Connection reset by peer": the client went away mid-handshake
      if (!/^(?:Write|Read) (?:failed|from socket failed)/.test(text)) return false;
      classify(event, 'ssh_disconnect');
      event.event.reason = text;
      return true;
    case 'User':
      return notAllowed(text, event);
    case 'PAM:':
      return pamFailure(text, event) || pamUnknownUser(text, event);
    case 'subsystem':
      return subsystemRequest(text, event);
    case 'PAM':
      return pamMaxRetries(text, event) || parsePam(text, event);
    case 'Server':
      return serverListening(text, event);
    default:
      if (BAD_PROTOCOL_RE.test(text)) return protocolError(text, event);
      return parsePam(text, event);
  }
}

function accepted(text: string, event: NormalizedEvent): boolean {
  const m = ACCEPTED_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_login', 'success');
  setVendor(event, 'auth_method', m[1]);
  setUser(event, m[2]);
  setSource(event, m[3], m[4]);
  if (m[5]) setVendor(event, 'key', m[5]);
  return true;
}

function failed(text: string, event: NormalizedEvent): boolean {
  const m = FAILED_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_login', 'failure');
  setVendor(event, 'auth_method', m[1]);
  if (m[2]) setVendor(event, 'invalid_user', true);
  setUser(event, m[3]);
  setSource(event, m[4], m[5]);
  return true;
}

function invalidUser(m: RegExpExecArray | null, event: NormalizedEvent): boolean {
  if (!m) return false;
  classify(event, 'ssh_invalid_user', 'failure');
  setUser(event, m[1]);
  if (m[2]) setSource(event, m[2], m[3]);
  return true;
}

function reverseMapping(m: RegExpExecArray | null, ipGroup: number, nameGroup: number, event: NormalizedEvent): boolean {
  if (!m) return false;
  classify(event, 'ssh_reverse_mapping_failed');
  setSource(event, m[ipGroup]);
  // the name the address claimed; kept apart from source.domain, which would read as verified
  setVendor(event, 'claimed_hostname', m[nameGroup]);
  return true;
}

function receivedDisconnect(text: string, event: NormalizedEvent): boolean {
  const m = RECEIVED_DISCONNECT_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_disconnect');
  setSource(event, m[1], m[2]);
  setVendor(event, 'disconnect_code', Number(m[3]));
  event.event.reason = m[4];
  return true;
}

function disconnected(m: RegExpExecArray | null, userGroup: number, ipGroup: number, portGroup: number, event: NormalizedEvent): boolean {
  if (!m) return false;
  classify(event, 'ssh_disconnect');
  setUser(event, m[userGroup]);
  setSource(event, m[ipGroup], m[portGroup]);
  return true;
}

function connectionFrom(text: string, event: NormalizedEvent): boolean {
  const m = CONNECTION_FROM_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_connection');
  setSource(event, m[1], m[2]);
  setDestination(event, m[3], m[4]);
  return true;
}

function tooMany(text: string, event: NormalizedEvent): boolean {
  const m = TOO_MANY_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_auth_failures_exceeded', 'failure');
  setUser(event, m[1] ?? m[4]);
  if (m[2]) setSource(event, m[2], m[3]);
  return true;
}

function maxAttempts(text: string, event: NormalizedEvent): boolean {
  const m = MAX_ATTEMPTS_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_auth_failures_exceeded', 'failure');
  setUser(event, m[1]);
  setSource(event, m[2], m[3]);
  return true;
}

function noIdentification(text: string, event: NormalizedEvent): boolean {
  const m = NO_IDENT_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_no_identification');
  setSource(event, m[1], m[2]);
  return true;
}

function protocolError(text: string, event: NormalizedEvent): boolean {
  const m = BAD_PROTOCOL_RE.exec(text)!;
  classify(event, 'ssh_protocol_error');
  setSource(event, m[1], m[2]);
  event.event.reason = text;
  return true;
}

function notAllowed(text: string, event: NormalizedEvent): boolean {
  const m = NOT_ALLOWED_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_login', 'failure');
  setUser(event, m[1]);
  setSource(event, m[2]);
  event.event.reason = `not allowed because ${m[3]}`;
  return true;
}

function pamFailure(text: string, event: NormalizedEvent): boolean {
  const m = PAM_FAILURE_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_login', 'failure');
  setUser(event, m[1]);
  setSource(event, m[2]);
  return true;
}

function pamUnknownUser(text: string, event: NormalizedEvent): boolean {
  const m = PAM_UNKNOWN_RE.exec(text);
  if (!m) return false;
  // a preliminary like "Invalid user": the failed attempt itself is logged as "Failed …"
  classify(event, 'ssh_invalid_user', 'failure');
  setUser(event, m[1]);
  setSource(event, m[2]);
  event.event.reason = 'user not known to the underlying authentication module';
  return true;
}

function subsystemRequest(text: string, event: NormalizedEvent): boolean {
  const m = SUBSYSTEM_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_subsystem_request', 'success');
  setVendor(event, 'subsystem', m[1]);
  setUser(event, m[2]);
  return true;
}

function pamMaxRetries(text: string, event: NormalizedEvent): boolean {
  const m = PAM_MAX_RETRIES_RE.exec(text);
  if (!m) return false;
  classify(event, 'ssh_auth_failures_exceeded', 'failure');
  setVendor(event, 'attempts', Number(m[1]));
  setVendor(event, 'max_tries', Number(m[2]));
  return true;
}

function serverListening(text: string, event: NormalizedEvent): boolean {
  const m = SERVER_LISTENING_RE.exec(text);
  if (!m) return false;
  classify(event, 'service_started', 'success');
  setDestination(event, m[1], m[2]);
  return true;
}

function serviceStopped(event: NormalizedEvent): boolean {
  classify(event, 'service_stopped', 'success');
  return true;
}
