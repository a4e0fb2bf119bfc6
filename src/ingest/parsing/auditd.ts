import { classify, type Action } from './actions.js';
import { setSource, setDestination, setTargetUser, setUser, setVendor, toInt } from './fields.js';
import { scanPairs } from './kv-scan.js';
import type { NormalizedEvent } from '../../shared/event-schema.js';
import { toIso } from './time.js';

/**
 * Linux audit records, as auditd writes them to audit.log ("type=USER_AUTH msg=audit(…): …",
 * optionally "node=host " first and, with log_format=ENRICHED, a GS (0x1d) and the resolved
 * names), as the kernel prints them ("audit: type=1100 audit(…): …") and as journald or audisp
 * forward them to syslog ("audit[812]: USER_AUTH pid=812 …", "audispd: node=… type=… …").
 * Every pair lands under `vendor` (hex-encoded values decoded); the ECS fields follow Elastic's
 * auditd module: process.*, user.id / user.audit.id, source from addr/hostname, outcome from
 * res= or success=.
 */

const HEADER_RE = /^(?:node=(\S+) )?type=(\w+) msg=audit\((\d+)(?:\.(\d{1,3})\d*)?:(\d+)\): ?/;
const KERNEL_RE = /^(?:audit: )?type=(\d+) audit\((\d+)(?:\.(\d{1,3})\d*)?:(\d+)\): ?/;
// journald's audit[pid] lines: the record type name, then the pairs
const JOURNAL_RE = /^([A-Z][A-Z_]+[A-Z]) (?=\w+=)/;

const TYPE_BY_NUMBER: Record<string, string> = {
  1100: 'USER_AUTH', 1101: 'USER_ACCT', 1102: 'USER_MGMT', 1103: 'CRED_ACQ', 1104: 'CRED_DISP', 1105: 'USER_START',
  1106: 'USER_END', 1108: 'USER_CHAUTHTOK', 1109: 'USER_ERR', 1110: 'CRED_REFR', 1112: 'USER_LOGIN', 1113: 'USER_LOGOUT',
  1114: 'ADD_USER', 1115: 'DEL_USER', 1116: 'ADD_GROUP', 1117: 'DEL_GROUP', 1123: 'USER_CMD', 1130: 'SERVICE_START',
  1131: 'SERVICE_STOP', 1132: 'GRP_MGMT', 1300: 'SYSCALL', 1302: 'PATH', 1305: 'CONFIG_CHANGE', 1306: 'SOCKADDR',
  1307: 'CWD', 1309: 'EXECVE', 1327: 'PROCTITLE', 1400: 'AVC',
};

const ACTION_BY_TYPE: Record<string, Action> = {
  USER_AUTH: 'pam_authentication', USER_ACCT: 'credential_validation', USER_LOGIN: 'user_login', USER_LOGOUT: 'user_logoff',
  USER_START: 'session_opened', USER_END: 'session_closed', CRED_ACQ: 'credentials_acquired', CRED_REFR: 'credentials_refreshed',
  CRED_DISP: 'credentials_disposed', USER_CMD: 'sudo_command', USER_CHAUTHTOK: 'user_password_changed',
  ADD_USER: 'user_created', DEL_USER: 'user_deleted', USER_MGMT: 'user_modified', ADD_GROUP: 'group_created',
  DEL_GROUP: 'group_deleted', SERVICE_START: 'service_started', SERVICE_STOP: 'service_stopped', EXECVE: 'process_started',
};

// execve and execveat by audit arch: x86_64, i386, aarch64
const EXEC_SYSCALLS: Record<string, Set<string>> = {
  c000003e: new Set(['59', '322']), '40000003': new Set(['11', '358']), c00000b7: new Set(['221', '281']),
};

// fields auditd writes hex-encoded when the value holds a blank, quote or control character
const ENCODED = new Set(['acct', 'cmd', 'comm', 'cwd', 'exe', 'name', 'proctitle', 'path', 'grp', 'new_group', 'old_group', 'unit', 'key']);
const HEX_RE = /^(?:[0-9A-F]{2})+$/;
const UNSET = new Set(['4294967295', '-1', 'unset', '?', '(none)', '(unknown)', '(invalid user)']);

export function looksLikeAudit(text: string): boolean {
  return text.startsWith('type=') || text.startsWith('node=') || text.startsWith('audit: type=');
}

/** Parses one record; false when the text is not an audit record. */
export function parseAudit(text: string, event: NormalizedEvent): boolean {
  let type: string;
  let body: string;
  const header = HEADER_RE.exec(text);
  if (header) {
    type = header[2];
    if (header[1]) setVendor(event, 'node', header[1]);
    setTime(event, header[3], header[4], header[5]);
    body = text.slice(header[0].length);
  } else {
    const kernel = KERNEL_RE.exec(text);
    if (kernel) {
      type = TYPE_BY_NUMBER[kernel[1]] ?? kernel[1];
      setTime(event, kernel[2], kernel[3], kernel[4]);
      body = text.slice(kernel[0].length);
    } else {
      const journal = JOURNAL_RE.exec(text);
      if (!journal) return false;
      type = journal[1];
      body = text.slice(journal[0].length);
    }
  }
  event.event.module = 'auditd';
  event.event.dataset = 'auditd.log';
  setVendor(event, 'type', type);

  // ENRICHED: "… res=success'\x1dUID="root" AUID="alice""
  const gs = body.indexOf('\x1d');
  const enriched = gs < 0 ? undefined : scanPairs(body, gs + 1).pairs;
  const outer = scanPairs(gs < 0 ? body : body.slice(0, gs)).pairs;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(outer)) if (key !== 'msg') fields[key] = decode(key, value, type);
  // user-space records carry their own pairs inside msg='…'
  if (outer.msg !== undefined) for (const [key, value] of Object.entries(scanPairs(outer.msg).pairs)) fields[key] = decode(key, value, type);
  for (const [key, value] of Object.entries(fields)) setVendor(event, key, value);
  if (enriched) for (const [key, value] of Object.entries(enriched)) setVendor(event, key, value);

  applyCommon(event, fields, enriched);
  applyByType(event, type, fields, enriched);
  return true;
}

function setTime(event: NormalizedEvent, seconds: string, millis: string | undefined, serial: string): void {
  event['@timestamp'] = toIso(Number(seconds) * 1000 + Number((millis ?? '0').padEnd(3, '0')));
  setVendor(event, 'sequence', Number(serial));
}

function decode(key: string, value: string, type: string): string {
  // EXECVE arguments a0…aN are strings; SYSCALL's a0…a3 are register values in hex, left alone
  const encoded = ENCODED.has(key) || (type === 'EXECVE' && /^a\d+$/.test(key));
  if (!encoded || !HEX_RE.test(value)) return value;
  const bytes = Buffer.from(value, 'hex');
  // proctitle and argv hold NUL-separated arguments
  return bytes.toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
}

function known(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !UNSET.has(value);
}

function applyCommon(event: NormalizedEvent, f: Record<string, string>, enriched: Record<string, string> | undefined): void {
  const process = (event.process ??= {});
  const pid = toInt(f.pid);
  if (pid !== undefined) process.pid = pid;
  const ppid = toInt(f.ppid);
  if (ppid !== undefined) process.parent = { pid: ppid };
  if (known(f.exe)) process.executable = f.exe.replace(/^"|"$/g, '');
  if (known(f.comm)) process.name = f.comm;
  else if (process.executable) process.name = process.executable.slice(process.executable.lastIndexOf('/') + 1);
  if (known(f.cwd)) process.working_directory = f.cwd;
  const exit = toInt(f.exit);
  if (exit !== undefined) process.exit_code = exit;

  const user = (event.user ??= {});
  if (known(f.uid)) user.id = f.uid;
  if (known(f.auid)) user.audit = { id: f.auid };
  if (known(f.euid) && f.euid !== f.uid) user.effective = { id: f.euid };
  if (enriched) {
    if (known(enriched.UID)) user.name = enriched.UID;
    if (known(enriched.AUID)) (user.audit ??= {}).name = enriched.AUID;
    if (user.effective && known(enriched.EUID)) user.effective.name = enriched.EUID;
  }
  if (Object.keys(user).length === 0) delete event.user;

  if (known(f.addr)) setSource(event, f.addr);
  if (known(f.hostname) && f.hostname !== f.addr) setSource(event, f.hostname);
  const result = f.res ?? f.success;
  if (result === 'success' || result === 'yes' || result === '1') event.event.outcome = 'success';
  else if (result === 'failed' || result === 'no' || result === '0') event.event.outcome = 'failure';
}

function applyByType(event: NormalizedEvent, type: string, f: Record<string, string>, enriched: Record<string, string> | undefined): void {
  const outcome = event.event.outcome;
  const keep = (action: Action) => classify(event, action, outcome === 'unknown' ? undefined : outcome);
  // the account a user-space record is about: acct=, or id= resolved by ENRICHED to ID=
  const account = known(f.acct) ? f.acct : known(enriched?.ID) ? enriched!.ID : undefined;
  switch (type) {
    case 'SYSCALL': {
      const execs = EXEC_SYSCALLS[f.arch];
      keep(execs?.has(f.syscall) || enriched?.SYSCALL === 'execve' ? 'process_started' : 'audit_event');
      if (enriched?.SYSCALL) setVendor(event, 'syscall_name', enriched.SYSCALL);
      return;
    }
    case 'EXECVE': {
      const args: string[] = [];
      const argc = toInt(f.argc) ?? 0;
      for (let i = 0; i < argc && f[`a${i}`] !== undefined; i++) args.push(f[`a${i}`]);
      keep('process_started');
      if (args.length) {
        event.process!.args = args;
        event.process!.command_line = args.join(' ');
      }
      return;
    }
    case 'PROCTITLE':
      keep('audit_event');
      if (f.proctitle) event.process!.command_line = f.proctitle;
      return;
    case 'PATH':
      keep('audit_event');
      if (known(f.name)) event.file = { path: f.name };
      return;
    case 'SOCKADDR':
      keep('audit_event');
      sockaddr(event, f.saddr);
      return;
    case 'USER_CMD':
      keep('sudo_command');
      if (f.cmd) event.process!.command_line = f.cmd;
      return;
    case 'ADD_GROUP':
    case 'DEL_GROUP':
      keep(ACTION_BY_TYPE[type]);
      group(event, account ?? f.grp, f.id);
      return;
    case 'GRP_MGMT': {
      const op = f.op ?? '';
      keep(/add/i.test(op) ? 'group_member_added' : /delet|remov/i.test(op) ? 'group_member_removed' : 'audit_event');
      setTargetUser(event, account);
      if (known(f.grp)) group(event, f.grp, undefined);
      return;
    }
    case 'SERVICE_START':
    case 'SERVICE_STOP':
      keep(ACTION_BY_TYPE[type]);
      return;
  }
  const action = ACTION_BY_TYPE[type];
  keep(action ?? 'audit_event');
  if (!action) return;
  // the account is the actor of logins and authentications, the object of account management
  if (/^(USER_|CRED_)/.test(type) && type !== 'USER_CHAUTHTOK' && type !== 'USER_MGMT') {
    if (account) {
      (event.user ??= {}).name = account;
    }
  } else {
    setTargetUser(event, account);
    if (known(f.id) && event.user?.target) event.user.target.id = f.id;
  }
  if (known(f.terminal)) setVendor(event, 'terminal', f.terminal);
  if (type === 'USER_LOGIN' && !account) setUser(event, enriched?.ID);
}

function group(event: NormalizedEvent, name: string | undefined, id: string | undefined): void {
  if (known(name)) (event.group ??= {}).name = name;
  if (known(id)) (event.group ??= {}).id = id;
}

/** AF_INET / AF_INET6 socket addresses of connect()/bind() (family is little-endian, port not). */
function sockaddr(event: NormalizedEvent, saddr: string | undefined): void {
  if (!saddr || !HEX_RE.test(saddr)) return;
  const family = saddr.slice(0, 4);
  const port = parseInt(saddr.slice(4, 8), 16);
  if (family === '0200' && saddr.length >= 16) {
    const ip = [8, 10, 12, 14].map((i) => parseInt(saddr.slice(i, i + 2), 16)).join('.');
    setDestination(event, ip, port);
  } else if (family === '0A00' && saddr.length >= 48) {
    const hex = saddr.slice(16, 48);
    const ip = hex.match(/.{4}/g)!.map((h) => h.replace(/^0{1,3}/, '').toLowerCase()).join(':');
    setDestination(event, ip, port);
  }
}
