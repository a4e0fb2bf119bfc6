import { classify } from '../actions.js';
import { setSource, setTargetUser, setUser, setVendor, toInt } from '../fields.js';
import { scanPairs } from '../kv-scan.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';

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
    applyAuthPairs(message, more[0].length, event, undefined);
    return true;
  }
  const m = MODULE_RE.exec(message);
  if (!m) return false;
  return parsePamMessage(m[1], m[2], message.slice(m[0].length), event);
}

// Linux-PAM before 0.78 put the module in the syslog tag: "sshd(pam_unix)[1234]: …"
const LEGACY_TAG_RE = /^([\w.-]+)\((pam_\w+)\)$/;

/** `{ service, module }` of a legacy "svc(pam_module)" tag, else undefined. */
export function legacyPamTag(appName: string): { service: string; module: string } | undefined {
  if (!appName.endsWith(')')) return undefined;
  const m = LEGACY_TAG_RE.exec(appName);
  return m ? { service: m[1], module: m[2] } : undefined;
}

/**
 * A legacy-tagged line. The service becomes `process.name`, so service-scoped rules (sshd, su)
 * see it, and `vendor.legacy_pam` marks the generation: in it these PAM lines were the only
 * record of a failed login, while modern sshd and su log their own failure line beside PAM's.
 */
export function parseLegacyPam(tag: { service: string; module: string }, message: string, event: NormalizedEvent): boolean {
  (event.process ??= {}).name = tag.service;
  setVendor(event, 'legacy_pam', true);
  return parsePamMessage(tag.module, tag.service, message, event);
}

// faillock and tally: "Consecutive login failures for user root account temporarily locked",
// "user root (0) tally 4, deny 3"
const FAILLOCK_RE = /^Consecutive login failures for user (\S+) account temporarily locked/;
const TALLY_RE = /^user (\S+) \((\d+)\) tally (\d+), deny (\d+)/;
const EXPIRED_RE = /^account (\S+) has expired/;
const BAD_USERNAME_RE = /^bad username \[(.*)\]$/;
// unix_chkpwd and pam_unix: "password check failed for user (root)"
const CHECK_FAILED_RE = /^password check failed for user \((.*)\)$/;

/** The message after "pam_unix(sshd:auth): " (or after a legacy "sshd(pam_unix)[1]: " tag). */
export function parsePamMessage(module: string, service: string, rest: string, event: NormalizedEvent): boolean {
  setVendor(event, 'pam_module', module);
  setVendor(event, 'pam_service', service);

  if (rest.startsWith('authentication failure;')) {
    classify(event, 'pam_authentication', 'failure');
    applyAuthPairs(rest, 23, event, service);
    return true;
  }
  if (rest.startsWith('check pass; user unknown') || rest === 'User unknown') {
    classify(event, 'pam_authentication', 'failure');
    event.event.reason = 'user unknown';
    return true;
  }
  const session = SESSION_RE.exec(rest);
  if (session) {
    classify(event, session[1] === 'opened' ? 'session_opened' : 'session_closed', 'success');
    // "by alice(uid=1000)" names who switched; with only "by (uid=0)" (or login's pseudo-user
    // "LOGIN") the session user is the actor
    if (session[3] && session[3] !== 'LOGIN') {
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
  const locked = FAILLOCK_RE.exec(rest) ?? TALLY_RE.exec(rest);
  if (locked) {
    classify(event, 'user_locked_out', 'failure');
    setTargetUser(event, locked[1]);
    if (locked[3] !== undefined) setVendor(event, 'tally', Number(locked[3]));
    if (locked[4] !== undefined) setVendor(event, 'deny', Number(locked[4]));
    return true;
  }
  const refused = CHECK_FAILED_RE.exec(rest) ?? EXPIRED_RE.exec(rest) ?? BAD_USERNAME_RE.exec(rest);
  if (refused) {
    classify(event, 'pam_authentication', 'failure');
    setUser(event, refused[1]);
    event.event.reason = rest;
    return true;
  }
  return false;
}

// su and sudo ask for a password on behalf of the requesting user (ruser): that user is the actor
const SWITCHING_SERVICES = new Set(['su', 'su-l', 'sudo', 'sudo-i']);

/** The "logname= uid= euid= tty= ruser= rhost= user=" tail of PAM auth failures. */
function applyAuthPairs(message: string, from: number, event: NormalizedEvent, service: string | undefined): void {
  const { pairs } = scanPairs(message, from);
  if (service && SWITCHING_SERVICES.has(service) && pairs.ruser && pairs.user && pairs.ruser !== pairs.user) {
    setUser(event, pairs.ruser);
    setTargetUser(event, pairs.user);
  } else setUser(event, pairs.user || pairs.ruser || pairs.logname);
  if (pairs.rhost) setSource(event, pairs.rhost);
  if (pairs.tty) setVendor(event, 'tty', pairs.tty);
  if (pairs.uid !== undefined) setVendor(event, 'uid', toInt(pairs.uid));
}
