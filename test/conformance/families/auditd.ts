import type { ConformanceFamily } from '../case.js';

// References: Red Hat Enterprise Linux Security Guide, "Understanding Audit Log Files" (record
// layout, SYSCALL/CWD/PATH/PROCTITLE fields, hex-encoded proctitle); audit-userspace
// docs/audit-events and lib/msg_typetab.h (record types and numbers); Elastic auditd integration
// (ECS mapping: process.*, user.id, user.audit.id, source from addr/hostname, outcome from res);
// Elastic integrations PR 8716 (ENRICHED format with the 0x1d separator).
const RHEL = 'RHEL Security Guide, Understanding Audit Log Files; Elastic auditd integration ECS mapping';
const USER = 'audit-userspace lib/audit_logging.c audit_log_acct_message(); Elastic auditd integration ECS mapping';

const family: ConformanceFamily = {
  family: 'auditd',
  cases: [
    {
      name: 'USER_AUTH failure from sshd',
      reference: USER,
      line: "type=USER_AUTH msg=audit(1710403200.120:7711): pid=2211 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=PAM:authentication grantors=? acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=203.0.113.7 addr=203.0.113.7 terminal=ssh res=failed'",
      expected: {
        'event.action': 'pam_authentication', 'event.outcome': 'failure', 'event.module': 'auditd', '@timestamp': '2024-03-14T08:00:00.120Z',
        'user.name': 'root', 'source.ip': '203.0.113.7', 'process.pid': 2211, 'process.executable': '/usr/sbin/sshd', 'vendor.type': 'USER_AUTH',
      },
    },
    {
      name: 'USER_LOGIN failure with hex-encoded account',
      reference: USER,
      line: "type=USER_LOGIN msg=audit(1710403201.000:7712): pid=2211 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=61646D696E2074657374 exe=\"/usr/sbin/sshd\" hostname=? addr=203.0.113.7 terminal=sshd res=failed'",
      expected: { 'event.action': 'user_login', 'event.outcome': 'failure', 'user.name': 'admin test', 'source.ip': '203.0.113.7' },
    },
    {
      name: 'USER_LOGIN success, remote host as a name (journald audit tag)',
      reference: 'systemd-journald audit forwarding "audit[pid]: TYPE pairs"; ' + USER,
      line: "Mar 14 16:00:02 gw audit[2230]: USER_LOGIN pid=2230 uid=0 auid=1000 ses=7 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=ops-laptop.example.cn addr=? terminal=/dev/pts/1 res=success'",
      expected: { 'event.action': 'user_login', 'event.outcome': 'success', 'source.domain': 'ops-laptop.example.cn', 'user.audit.id': '1000', 'host.name': 'gw' },
    },
    {
      name: 'USER_CMD from sudo with hex command (ENRICHED)',
      reference: 'sudo audit plugin; Elastic integrations PR 8716 (ENRICHED); ' + USER,
      line: "type=USER_CMD msg=audit(1710403300.500:7720): pid=2301 uid=1000 auid=1000 ses=7 msg='cwd=\"/home/ops\" cmd=73797374656D63746C2072657374617274206E67696E78 exe=\"/usr/bin/sudo\" terminal=pts/1 res=success'\u001dUID=\"ops\" AUID=\"ops\"",
      expected: {
        'event.action': 'sudo_command', 'event.outcome': 'success', 'process.command_line': 'systemctl restart nginx',
        'process.working_directory': '/home/ops', 'user.name': 'ops', 'user.audit.name': 'ops',
      },
    },
    {
      name: 'EXECVE arguments, one hex-encoded',
      reference: RHEL,
      line: 'type=EXECVE msg=audit(1710403301.000:7721): argc=3 a0="tar" a1="czf" a2=2F746D702F6261636B7570206F6C642E74677A',
      expected: { 'event.action': 'process_started', 'process.args': ['tar', 'czf', '/tmp/backup old.tgz'], 'process.command_line': 'tar czf /tmp/backup old.tgz' },
    },
    {
      name: 'SYSCALL execve on x86_64',
      reference: RHEL,
      line: 'type=SYSCALL msg=audit(1710403301.000:7721): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=2290 pid=2302 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=7 comm="tar" exe="/usr/bin/tar" key="exec"',
      expected: {
        'event.action': 'process_started', 'event.outcome': 'success', 'process.pid': 2302, 'process.parent.pid': 2290, 'process.name': 'tar',
        'process.executable': '/usr/bin/tar', 'user.id': '0', 'user.audit.id': '1000', 'vendor.key': 'exec',
      },
    },
    {
      name: 'SYSCALL open denied',
      reference: RHEL,
      line: 'type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 success=no exit=-13 a0=7fffd19c5592 a1=0 a2=7fffd19c4b50 a3=a items=1 ppid=2686 pid=3538 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm="cat" exe="/bin/cat" key="sshd_config"',
      expected: { 'event.action': 'audit_event', 'event.outcome': 'failure', 'process.exit_code': -13, 'process.name': 'cat', 'user.id': '1000' },
    },
    {
      name: 'PATH record of a watched file',
      reference: RHEL,
      line: 'type=PATH msg=audit(1364481363.243:24287): item=0 name="/etc/ssh/sshd_config" inode=409248 dev=fd:00 mode=0100600 ouid=0 ogid=0 rdev=00:00 objtype=NORMAL',
      expected: { 'event.module': 'auditd', 'file.path': '/etc/ssh/sshd_config', 'vendor.type': 'PATH' },
    },
    {
      name: 'PROCTITLE hex with NUL-separated arguments',
      reference: RHEL,
      line: 'type=PROCTITLE msg=audit(1364481363.243:24287): proctitle=636174002F6574632F7373682F737368645F636F6E666967',
      expected: { 'process.command_line': 'cat /etc/ssh/sshd_config' },
    },
    {
      name: 'ADD_USER by useradd',
      reference: USER,
      line: "type=ADD_USER msg=audit(1710403400.000:7730): pid=2400 uid=0 auid=1000 ses=7 msg='op=add-user id=1005 exe=\"/usr/sbin/useradd\" acct=\"svc_tmp\" hostname=gw addr=? terminal=pts/1 res=success'",
      expected: { 'event.action': 'user_created', 'event.outcome': 'success', 'event.category': ['iam'], 'user.target.name': 'svc_tmp', 'user.target.id': '1005', 'process.name': 'useradd' },
    },
    {
      name: 'DEL_USER by userdel',
      reference: USER,
      line: "type=DEL_USER msg=audit(1710403500.000:7731): pid=2410 uid=0 auid=1000 ses=7 msg='op=delete-user id=1005 exe=\"/usr/sbin/userdel\" acct=\"svc_tmp\" hostname=gw addr=? terminal=pts/1 res=success'",
      expected: { 'event.action': 'user_deleted', 'event.outcome': 'success', 'user.target.name': 'svc_tmp' },
    },
    {
      name: 'ADD_GROUP by groupadd',
      reference: USER,
      line: "type=ADD_GROUP msg=audit(1710403600.000:7732): pid=2420 uid=0 auid=1000 ses=7 msg='op=add-group acct=\"contractors\" exe=\"/usr/sbin/groupadd\" hostname=gw addr=? terminal=pts/1 res=success'",
      expected: { 'event.action': 'group_created', 'group.name': 'contractors', 'event.category': ['iam'] },
    },
    {
      name: 'USER_CHAUTHTOK by passwd',
      reference: USER,
      line: "type=USER_CHAUTHTOK msg=audit(1710403700.000:7733): pid=2430 uid=0 auid=1000 ses=7 msg='op=PAM:chauthtok grantors=pam_pwquality,pam_unix acct=\"ops\" exe=\"/usr/bin/passwd\" hostname=gw addr=? terminal=pts/1 res=success'",
      expected: { 'event.action': 'user_password_changed', 'event.outcome': 'success', 'user.target.name': 'ops' },
    },
    {
      name: 'CRED_ACQ from sshd',
      reference: USER,
      line: "type=CRED_ACQ msg=audit(1710403800.000:7734): pid=2440 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:setcred grantors=pam_env,pam_unix acct=\"ops\" exe=\"/usr/sbin/sshd\" hostname=10.10.8.21 addr=10.10.8.21 terminal=ssh res=success'",
      expected: { 'event.action': 'credentials_acquired', 'event.outcome': 'success', 'user.name': 'ops', 'source.ip': '10.10.8.21' },
    },
    {
      name: 'CRED_DISP on logout',
      reference: USER,
      line: "type=CRED_DISP msg=audit(1710403900.000:7735): pid=2440 uid=0 auid=1000 ses=8 msg='op=PAM:setcred grantors=pam_env,pam_unix acct=\"ops\" exe=\"/usr/sbin/sshd\" hostname=10.10.8.21 addr=10.10.8.21 terminal=ssh res=success'",
      expected: { 'event.action': 'credentials_disposed', 'user.name': 'ops' },
    },
    {
      name: 'audispd over syslog with node prefix',
      reference: 'audispd syslog plugin (af_unix / syslog) output "node=… type=… msg=audit(…)"; ' + USER,
      line: "Mar 14 16:10:00 loghost audispd: node=db01 type=USER_AUTH msg=audit(1710403800.000:9001): pid=3311 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"postgres\" exe=\"/usr/sbin/sshd\" hostname=198.51.100.23 addr=198.51.100.23 terminal=ssh res=failed'",
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'user.name': 'postgres', 'source.ip': '198.51.100.23', 'vendor.node': 'db01', 'host.name': 'loghost' },
    },
    {
      name: 'kernel-printed record with numeric type',
      reference: 'kernel audit printk "audit: type=%d audit(%llu.%03lu:%u): …"; audit-userspace lib/msg_typetab.h',
      line: "Mar 14 16:11:00 gw kernel: audit: type=1100 audit(1710403860.000:9002): pid=3320 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=198.51.100.23 addr=198.51.100.23 terminal=ssh res=failed'",
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'vendor.type': 'USER_AUTH', 'user.name': 'root' },
    },
    {
      name: 'SOCKADDR of connect() to an IPv4 peer',
      reference: 'Elastic integrations PR 8716 SOCKADDR samples (family little-endian, port and address big-endian)',
      line: 'type=SOCKADDR msg=audit(1710403900.000:9003): saddr=02000050C6336407',
      expected: { 'destination.ip': '198.51.100.7', 'destination.port': 80 },
    },
  ],
};
export default family;
