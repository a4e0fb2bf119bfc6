import { classify } from '../actions.js';
import { setSource, setTargetUser, setUser, setVendor, toInt } from '../fields.js';
import { scanPairs } from '../kv-scan.js';
import type { NormalizedEvent } from '../schema.js';

/**
 * Linux-PAM module messages, which any program can log (sshd, sudo, su, cron, login, passwd):
 * "pam_unix(sshd:auth): authentication failure; logname= uid=0 … rhost=1.2.3.4 user=root".
 */
const MODULE_RE = /^(pam_\w+)\(([^:)]+):(\w+)\): /;
// "session opened for user root by (uid=0)", "… for user root(uid=0) by alice(uid=1000)"
const SESSION_RE = /^session (opened|closed) for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)\(uid=(\d+)\))?/;
const PASSWORD_CHANGED_RE = /^password changed for (\S+)/;
// "PAM 5 more authentication failures; logname= uid=0 … rhost=… user=root", logged by sshd itself
const MORE_FAILURES_RE = /^PAM (\d+) more authentication failures?; /;

export function parsePam(message: string, event: NormalizedEvent): boolean {
  const more = MORE_FAILURES_RE.exec(message);
  if (more) {
    classify(event, 'pam_authentication', 'failure');
    setVendor(event, 'repeat_count', Number(more[1]));
    applyAuthPairs(message, more[0].length, event);
    return true;
  }

  const m = MODULE_RE.exec(message);
  if (!m) return false;
  setVendor(event, 'pam_module', m[1]);
  setVendor(event, 'pam_service', m[2]);
  const rest = message.slice(m[0].length);

  if (rest.startsWith('authentication failure;')) {
    classify(event, 'pam_authentication', 'failure');
    applyAuthPairs(rest, 23, event);
    return true;
  }
  if (rest.startsWith('check pass; user unknown')) {
    classify(event, 'pam_authentication', 'failure');
    event.event.reason = 'user unknown';
    return true;
  }
  const session = SESSION_RE.exec(rest);
  if (session) {
    classify(event, session[1] === 'opened' ? 'session_opened' : 'session_closed', 'success');
    // "by alice(uid=1000)" names who switched; with only "by (uid=0)" the session user is the actor
    if (session[3]) {
      setUser(event, session[3]);
      setTargetUser(event, session[2]);
    } else setUser(event, session[2]);
    if (session[4] !== undefined) setVendor(event, 'by_uid', toInt(session[4]));
    return true;
  }
  const changed = PASSWORD_CHANGED_RE.exec(rest);
  if (changed) {
    classify(event, 'user_password_changed', 'success');
    setTargetUser(event, changed[1]);
    return true;
  }
  return false;
}

/** The "logname= uid= euid= tty= ruser= rhost= user=" tail of PAM auth failures. */
function applyAuthPairs(message: string, from: number, event: NormalizedEvent): void {
  const { pairs } = scanPairs(message, from);
  setUser(event, pairs.user || pairs.ruser || pairs.logname);
  if (pairs.rhost) setSource(event, pairs.rhost);
  if (pairs.tty) setVendor(event, 'tty', pairs.tty);
  if (pairs.uid !== undefined) setVendor(event, 'uid', toInt(pairs.uid));
}
