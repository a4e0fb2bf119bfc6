import { classify, type Action } from '../actions.js';
import { setTargetUser, setUser, setVendor } from '../fields.js';
import { scanPairs } from '../kv-scan.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { parsePam } from './pam.js';

/**
 * shadow-utils account tools (useradd, usermod, userdel, groupadd, groupdel, groupmod, gpasswd,
 * passwd, chpasswd). Their messages name the tool's action, so one table serves all of them.
 */
interface Rule {
  re: RegExp;
  action: Action;
  /** Default success. */
  outcome?: 'failure';
  apply(m: RegExpExecArray, event: NormalizedEvent): void;
}

const target = (group: number) => (m: RegExpExecArray, e: NormalizedEvent) => setTargetUser(e, m[group]);
const groupName = (name: string, e: NormalizedEvent) => {
  (e.group ??= {}).name = name;
};

const RULES: Rule[] = [
  {
    // "new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0"
    re: /^new user: (.*)$/,
    action: 'user_created',
    apply(m, e) {
      // shadow-utils before 4.1 wrote "uid=501, gid=501"
      const { pairs } = scanPairs(m[1]);
      setTargetUser(e, pairs.name);
      const uid = pairs.UID ?? pairs.uid;
      if (uid && e.user?.target) e.user.target.id = uid;
      for (const key of ['GID', 'home', 'shell', 'from'] as const) {
        const value = pairs[key] ?? pairs[key.toLowerCase()];
        if (value) setVendor(e, key.toLowerCase(), value);
      }
    },
  },
  {
    // "new group: name=dev, GID=1002", "group added to /etc/group: name=dev, GID=1002"
    re: /^(?:new group|group added to \S+): (.*)$/,
    action: 'group_created',
    apply(m, e) {
      const { pairs } = scanPairs(m[1]);
      if (pairs.name) groupName(pairs.name, e);
      const gid = pairs.GID ?? pairs.gid;
      if (gid) (e.group ??= {}).id = gid;
    },
  },
  {
    // "add 'bob' to group 'sudo'", "add 'bob' to shadow group 'sudo'"
    re: /^add '([^']+)' to (?:shadow )?group '([^']+)'$/,
    action: 'group_member_added',
    apply(m, e) {
      setTargetUser(e, m[1]);
      groupName(m[2], e);
    },
  },
  {
    // gpasswd: "user bob added by root to group sudo", "user bob removed by root from group sudo"
    re: /^user (\S+) (added|removed) by (\S+) (?:to|from) group (\S+)$/,
    action: 'group_member_added',
    apply(m, e) {
      if (m[2] === 'removed') classify(e, 'group_member_removed', 'success');
      setTargetUser(e, m[1]);
      setUser(e, m[3]);
      groupName(m[4], e);
    },
  },
  {
    // "delete 'bob' from group 'sudo'", "delete 'bob' from shadow group 'sudo'"
    re: /^delete '([^']+)' from (?:shadow )?group '([^']+)'$/,
    action: 'group_member_removed',
    apply(m, e) {
      setTargetUser(e, m[1]);
      groupName(m[2], e);
    },
  },
  { re: /^delete user '([^']+)'$/, action: 'user_deleted', apply: target(1) },
  // the tools' own failure notes: "failed adding user 'bob', data deleted"
  { re: /^failed adding user '([^']+)'/, action: 'user_created', outcome: 'failure', apply: target(1) },
  { re: /^failed adding group '([^']+)'/, action: 'group_created', outcome: 'failure', apply: (m, e) => groupName(m[1], e) },
  {
    // "removed group 'bob' owned by 'bob'", "group 'dev' removed", "group 'dev' removed from /etc/group"
    re: /^(?:removed (?:shadow )?group '([^']+)' owned by '[^']*'|group '([^']+)' removed(?: from \S+)?)$/,
    action: 'group_deleted',
    apply: (m, e) => groupName(m[1] ?? m[2], e),
  },
  { re: /^lock user '([^']+)' password$/, action: 'user_disabled', apply: target(1) },
  { re: /^unlock user '([^']+)' password$/, action: 'user_enabled', apply: target(1) },
  { re: /^change user '([^']+)' password$/, action: 'user_password_changed', apply: target(1) },
  {
    // passwd from shadow-utils 4.9+: "password for 'bob' changed by 'root'"
    re: /^password for '([^']+)' changed by '([^']+)'$/,
    action: 'user_password_changed',
    apply(m, e) {
      setTargetUser(e, m[1]);
      setUser(e, m[2]);
    },
  },
  {
    // "change user 'bob' shell from '/bin/sh' to '/bin/bash'", "change user name 'bob' to 'rob'"
    re: /^change user (?:name )?'([^']+)' (.*)$/,
    action: 'user_modified',
    apply(m, e) {
      setTargetUser(e, m[1]);
      e.event.reason = `change ${m[2]}`;
    },
  },
];

export function parseAccounts(message: string, event: NormalizedEvent): boolean {
  for (const rule of RULES) {
    const m = rule.re.exec(message);
    if (!m) continue;
    classify(event, rule.action, rule.outcome ?? 'success');
    rule.apply(m, event);
    return true;
  }
  return parsePam(message, event);
}
