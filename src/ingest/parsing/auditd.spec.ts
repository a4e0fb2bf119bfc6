import { parseLine } from './index.js';

const ctx = { source: 'test', transport: 'file' as const, receivedAt: new Date('2024-06-02T00:00:00Z') };

describe('auditd and legacy-tag edge cases', () => {
  it('leaves SYSCALL register arguments as written and decodes only encoded fields', () => {
    const e = parseLine('type=SYSCALL msg=audit(1717207200.000:1): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd4A2B a2=10 a3=0 items=0 ppid=1 pid=2 auid=1000 uid=1000 comm=636174 exe="/bin/cat"', ctx);
    expect([e.event.action, e.vendor?.a1, e.vendor?.comm, e.process?.name]).toEqual(['audit_event', '7ffd4A2B', 'cat', 'cat']);
  });

  it('hands a key=value line that merely starts with type= on to the key=value parser', () => {
    const e = parseLine('type=traffic srcip=10.0.0.1 dstip=10.0.0.2 action=deny', ctx);
    expect([e.event.module, e.source?.ip]).toEqual(['firewall', '10.0.0.1']);
  });

  it('reads a legacy PAM tag only when a pam_ module is in the parentheses', () => {
    expect(parseLine('Jun  1 10:00:00 h sshd(pam_unix)[1]: check pass; user unknown', ctx).vendor?.legacy_pam).toBe(true);
    expect(parseLine('Jun  1 10:00:00 h app(v2)[1]: authentication failure; rhost=1.2.3.4', ctx).event.action).toBe('unknown');
  });

  it('does not copy database passwords into vendor.statement', () => {
    const e = parseLine("2024-06-01 10:00:00 CST [1] LOG:  statement: ALTER ROLE app PASSWORD 'hunter2'", ctx);
    expect([e.event.action, e.vendor?.statement]).toEqual(['database_privilege_change', "ALTER ROLE app PASSWORD '***'"]);
  });
});
