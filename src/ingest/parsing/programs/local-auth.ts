import { classify } from '../actions.js';
import { setTargetUser, setUser, setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { parsePam } from './pam.js';

/** sudo, su and cron: the ways a local user runs something as someone else. */

// "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update"
// "alice : 3 incorrect password attempts ; TTY=pts/0 ; …", "alice : user NOT in sudoers ; …"
const SUDO_RE = /^\s*(\S+) : (.*)$/;
const SUDO_FIELD_RE = /^([A-Z]+)=(.*)$/;
const INCORRECT_PASSWORD_RE = /^(\d+) incorrect password attempts?$/;

export function parseSudo(message: string, event: NormalizedEvent): boolean {
  const m = SUDO_RE.exec(message);
  if (!m) return parsePam(message, event);
  const parts = m[2].split(' ; ');
  let reason: string | undefined;
  const fields: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const field = SUDO_FIELD_RE.exec(parts[i]);
    // COMMAND comes last and may itself contain " ; "
    if (field && field[1] === 'COMMAND') {
      fields.COMMAND = [field[2], ...parts.slice(i + 1)].join(' ; ');
      break;
    }
    if (field) fields[field[1]] = field[2];
    else reason ??= parts[i];
  }
  if (fields.COMMAND === undefined && fields.USER === undefined) return false;

  const failedAttempts = reason ? INCORRECT_PASSWORD_RE.exec(reason) : null;
  if (failedAttempts) {
    classify(event, 'sudo_auth_failure', 'failure');
    setVendor(event, 'failed_attempts', Number(failedAttempts[1]));
  } else classify(event, 'sudo_command', reason ? 'failure' : 'success');
  if (reason) event.event.reason = reason;
  setUser(event, m[1]);
  setTargetUser(event, fields.USER ?? 'root');
  if (fields.COMMAND !== undefined) (event.process ??= {}).command_line = fields.COMMAND;
  if (fields.PWD !== undefined) (event.process ??= {}).working_directory = fields.PWD;
  if (fields.TTY !== undefined) setVendor(event, 'tty', fields.TTY);
  return true;
}

// "Successful su for root by alice", "FAILED su for root by alice", "+ pts/0 alice:root",
// "- pts/0 alice:root", util-linux: "(to root) alice on pts/0", "FAILED SU (to root) alice on pts/0"
const SU_WORDS_RE = /^(Successful|FAILED) su for (\S+) by (\S+)$/;
const SU_SIGN_RE = /^([+-]) (\S+) ([^:\s]+):(\S+)$/;
const SU_TO_RE = /^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)$/;

export function parseSu(message: string, event: NormalizedEvent): boolean {
  let m = SU_WORDS_RE.exec(message);
  if (m) return switchUser(event, m[1] === 'Successful', m[3], m[2]);
  m = SU_SIGN_RE.exec(message);
  if (m) {
    setVendor(event, 'tty', m[2]);
    return switchUser(event, m[1] === '+', m[3], m[4]);
  }
  m = SU_TO_RE.exec(message);
  if (m) {
    setVendor(event, 'tty', m[4]);
    return switchUser(event, !m[1], m[3], m[2]);
  }
  return parsePam(message, event);
}

function switchUser(event: NormalizedEvent, success: boolean, actor: string, target: string): boolean {
  classify(event, 'switch_user', success ? 'success' : 'failure');
  setUser(event, actor);
  setTargetUser(event, target);
  return true;
}

// "(root) CMD (cd / && run-parts --report /etc/cron.hourly)"
const CRON_CMD_RE = /^\((\S+)\) CMD \((.*)\)$/;

export function parseCron(message: string, event: NormalizedEvent): boolean {
  const m = CRON_CMD_RE.exec(message);
  if (!m) return parsePam(message, event);
  classify(event, 'cron_command', 'success');
  setUser(event, m[1]);
  (event.process ??= {}).command_line = m[2];
  return true;
}
