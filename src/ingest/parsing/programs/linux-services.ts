import { classify } from '../actions.js';
import { setSource, setTargetUser, setUser, setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { parsePam, parsePamMessage } from './pam.js';

/**
 * The other Linux programs an auth log carries, old and new: login(1), Kerberos klogind, xinetd,
 * the FTP servers (BSD/wu-ftpd, vsftpd, ProFTPD), unix_chkpwd, chage, systemd and logind. Each
 * falls back to PAM messages, which any of them may log.
 */

/** A remote peer written "name [ip]", "name (ip)", "ip (name)" or alone: both kept when given. */
function setPeer(event: NormalizedEvent, first: string | undefined, second?: string, port?: string): void {
  setSource(event, stripMapped(first), port);
  if (second && second !== first) setSource(event, stripMapped(second));
}

/** vsftpd and old sshd write IPv4 peers as IPv4-mapped IPv6 ("::ffff:192.0.2.7"). */
function stripMapped(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function login(event: NormalizedEvent, success: boolean, user: string | undefined): true {
  classify(event, 'user_login', success ? 'success' : 'failure');
  setUser(event, user);
  return true;
}

// util-linux / shadow login: "FAILED LOGIN 1 FROM (null) FOR root, Authentication failure",
// "FAILED LOGIN (2) on '/dev/tty1' FROM 'host' FOR 'bob', Authentication failure",
// "LOGIN ON tty1 BY root", "ROOT LOGIN ON tty1", "ROOT LOGIN ON pts/0 FROM host.example.net",
// "LOGIN ON pts/1 BY alice FROM host.example.net", "DIALUP AT ttyS0 BY bob"
const LOGIN_FAILED_RE = /^FAILED LOGIN \(?(\d+)\)? (?:on '?(\S+?)'? )?FROM '?(\S*?)'? FOR '?(\S+?)'?, (.*)$/;
const LOGIN_OK_RE = /^(?:(ROOT) LOGIN|LOGIN|DIALUP) (?:ON|AT) (\S+)(?: BY (\S+))?(?: FROM (\S+))?$/;
const TOO_MANY_TRIES_RE = /^TOO MANY LOGIN TRIES \((\d+)\) (?:on '?(\S+?)'? )?FROM '?(\S*?)'? FOR '?(\S+?)'?/;

export function parseLogin(message: string, event: NormalizedEvent): boolean {
  let m = LOGIN_FAILED_RE.exec(message);
  if (m) {
    login(event, false, m[4]);
    if (m[3] !== '(null)') setPeer(event, m[3]);
    if (m[2]) setVendor(event, 'tty', m[2]);
    setVendor(event, 'failed_attempts', Number(m[1]));
    event.event.reason = m[5];
    return true;
  }
  m = LOGIN_OK_RE.exec(message);
  if (m) {
    login(event, true, m[1] ? 'root' : m[3]);
    setVendor(event, 'tty', m[2]);
    if (m[4]) setPeer(event, m[4]);
    return true;
  }
  m = TOO_MANY_TRIES_RE.exec(message);
  if (m) {
    classify(event, 'user_locked_out', 'failure');
    setTargetUser(event, m[4]);
    if (m[3] !== '(null)') setPeer(event, m[3]);
    return true;
  }
  return parsePam(message, event);
}

// Kerberos klogind/kshd/eklogin: "Authentication failed from 192.0.2.9 (host.example.net): Permission
// denied in replay cache code", "Kerberos authentication failed", "connect from 192.0.2.9"
const KLOGIN_FAILED_RE = /^Authentication failed from (\S+) \(([^)]*)\): (.*)$/;

export function parseKlogind(message: string, event: NormalizedEvent): boolean {
  const m = KLOGIN_FAILED_RE.exec(message);
  if (m) {
    login(event, false, undefined);
    setPeer(event, m[1], m[2]);
    event.event.reason = m[3];
    return true;
  }
  if (message.startsWith('Kerberos authentication failed') || message.startsWith('Authentication failed')) {
    login(event, false, undefined);
    event.event.reason = message;
    return true;
  }
  return connectFrom(message, event) || parsePam(message, event);
}

// "connection from 192.0.2.9 (host.example.net) at Sat Jul  2 22:20:48 2005" (ftpd), "connect from 192.0.2.9"
const CONNECT_FROM_RE = /^connect(?:ion)? from (\S+?)(?: \(([^)]*)\))?(?: at .*)?$/;

function connectFrom(message: string, event: NormalizedEvent): boolean {
  const m = CONNECT_FROM_RE.exec(message);
  if (!m) return false;
  classify(event, 'service_connection', 'success');
  setPeer(event, m[1], m[2]);
  return true;
}

// xinetd: "START: ftp pid=2313 from=192.0.2.9", "EXIT: ftp status=0 pid=2313 duration=7(sec)",
// "FAIL: telnet address from=192.0.2.9"
const XINETD_RE = /^(START|FAIL): (\S+) (?:.*?)(?:from=(?:::ffff:)?(\S+))?$/;

export function parseXinetd(message: string, event: NormalizedEvent): boolean {
  const m = XINETD_RE.exec(message);
  if (!m) return false;
  classify(event, 'service_connection', m[1] === 'START' ? 'success' : 'failure');
  setVendor(event, 'service', m[2]);
  setPeer(event, m[3]);
  const pid = /pid=(\d+)/.exec(message);
  if (pid) setVendor(event, 'child_pid', Number(pid[1]));
  return true;
}

// BSD ftpd and wu-ftpd: "FTP LOGIN FROM host [192.0.2.9], alice", "ANONYMOUS FTP LOGIN FROM
// 192.0.2.9, (anonymous)", "FTP LOGIN FAILED FROM host, alice", "failed login from host [192.0.2.9]",
// "FTP LOGIN REFUSED (…) FROM host [ip], alice"
const FTP_LOGIN_RE = /^(ANONYMOUS )?FTP LOGIN (?:(FAILED|REFUSED)(?: \(([^)]*)\))? )?FROM (\S+?)(?: \[([^\]]+)\])?, (?:\()?(.*?)\)?$/;
const FTP_FAILED_RE = /^failed login from (\S+?)(?: \[([^\]]+)\])?(?:, (\S+))?$/;

export function parseFtpd(message: string, event: NormalizedEvent): boolean {
  let m = FTP_LOGIN_RE.exec(message);
  if (m) {
    login(event, !m[2], m[1] ? m[6] || 'anonymous' : m[6]);
    setPeer(event, m[4], m[5]);
    if (m[3]) event.event.reason = m[3];
    return true;
  }
  m = FTP_FAILED_RE.exec(message);
  if (m) {
    login(event, false, m[3]);
    setPeer(event, m[1], m[2]);
    return true;
  }
  return connectFrom(message, event) || parsePam(message, event);
}

// vsftpd with syslog_enable (and its vsftpd.log lines after "[pid N] "): '[alice] OK LOGIN: Client
// "192.0.2.9"', '[bob] FAIL LOGIN: Client "::ffff:192.0.2.9"', 'CONNECT: Client "192.0.2.9"',
// '[ftp] OK DOWNLOAD: Client "192.0.2.9", "/pub/a.iso", 1048576 bytes, 512.00Kbyte/sec'
const VSFTPD_RE = /^(?:\[pid \d+\] )?(?:\[([^\]]*)\] )?(OK|FAIL)? ?([A-Z]+): Client "([^"]+)"(?:, (.*))?$/;

export function parseVsftpd(message: string, event: NormalizedEvent): boolean {
  const m = VSFTPD_RE.exec(message);
  if (!m) return parsePam(message, event);
  const [, user, result, verb, client, rest] = m;
  if (verb === 'LOGIN') login(event, result === 'OK', undefined);
  else if (verb === 'CONNECT') classify(event, 'service_connection', 'success');
  else {
    // transfers and directory operations: recognised, but not an event the vocabulary names
    if (result) event.event.outcome = result === 'OK' ? 'success' : 'failure';
    if (rest) setVendor(event, 'transfer', rest);
  }
  setUser(event, user);
  setVendor(event, 'ftp_command', verb);
  setPeer(event, client);
  return true;
}

// ProFTPD: "servername (remotehost[remoteip]) - message":
// "ftp.example.net (host.example.net[192.0.2.9]) - USER alice: Login successful.",
// "… - USER bob (Login failed): Incorrect password.", "… - USER nobody: no such user found from …",
// "… - Maximum login attempts (3) exceeded, connection refused", "… - FTP session opened."
const PROFTPD_RE = /^\S+ \((\S*?)\[([^\]]+)\]\) - (.*)$/;
const PROFTPD_USER_RE = /^USER (\S+)(?: \(Login failed\))?: (.*)$/;

export function parseProftpd(message: string, event: NormalizedEvent): boolean {
  const m = PROFTPD_RE.exec(message);
  if (!m) return parsePam(message, event);
  const text = m[3];
  const user = PROFTPD_USER_RE.exec(text);
  if (user) {
    login(event, user[2].startsWith('Login successful'), user[1]);
    if (!user[2].startsWith('Login successful')) event.event.reason = user[2];
  } else if (text.startsWith('FTP session opened')) classify(event, 'service_connection', 'success');
  else event.event.reason = text;
  setPeer(event, m[2], m[1]);
  return true;
}

// chage: "changed password expiry for bob"; unix_chkpwd: "password check failed for user (root)"
const CHAGE_RE = /^changed password expiry for (\S+)$/;

export function parseChage(message: string, event: NormalizedEvent): boolean {
  const m = CHAGE_RE.exec(message);
  if (!m) return parsePam(message, event);
  classify(event, 'user_modified', 'success');
  setTargetUser(event, m[1]);
  event.event.reason = 'changed password expiry';
  return true;
}

/** pam_unix's password helper logs pam_unix messages without the module prefix. */
export function parseUnixChkpwd(message: string, event: NormalizedEvent): boolean {
  return parsePam(message, event) || parsePamMessage('pam_unix', 'unix_chkpwd', message, event);
}

// systemd (PID 1): "Started OpenSSH server daemon.", "Started sshd.service - OpenSSH server
// daemon.", "Stopped …", "Failed to start …", "sshd.service: Main process exited, code=exited,
// status=255/EXCEPTION"; logind: "New session 12 of user alice.", "Removed session 12."
const SYSTEMD_RE = /^(Started|Stopped|Failed to start|Starting|Stopping) (?:(\S+\.(?:service|socket|timer|mount|target)) - )?(.*?)\.?$/;
const UNIT_FAILED_RE = /^(\S+\.service): (?:Failed with result '([^']+)'|Main process exited, code=\w+, status=(\S+))/;
const LOGIND_NEW_RE = /^New session (\S+) of user (\S+?)\.$/;
const LOGIND_REMOVED_RE = /^Removed session (\S+?)\.$/;

export function parseSystemd(message: string, event: NormalizedEvent): boolean {
  const m = SYSTEMD_RE.exec(message);
  if (m) {
    if (m[1] === 'Starting' || m[1] === 'Stopping') return false;
    classify(event, m[1] === 'Stopped' ? 'service_stopped' : 'service_started', m[1] === 'Failed to start' ? 'failure' : 'success');
    if (m[2]) setVendor(event, 'unit', m[2]);
    setVendor(event, 'unit_description', m[3]);
    return true;
  }
  const failed = UNIT_FAILED_RE.exec(message);
  if (failed) {
    classify(event, 'service_stopped', 'failure');
    setVendor(event, 'unit', failed[1]);
    event.event.reason = failed[2] ?? `status=${failed[3]}`;
    return true;
  }
  return false;
}

export function parseLogind(message: string, event: NormalizedEvent): boolean {
  let m = LOGIND_NEW_RE.exec(message);
  if (m) {
    classify(event, 'session_opened', 'success');
    setUser(event, m[2]);
    setVendor(event, 'session_id', m[1]);
    return true;
  }
  m = LOGIND_REMOVED_RE.exec(message);
  if (m) {
    classify(event, 'session_closed', 'success');
    setVendor(event, 'session_id', m[1]);
    return true;
  }
  return false;
}
