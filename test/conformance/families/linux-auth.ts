import type { ConformanceFamily } from '../case.js';

// References: Linux-PAM pam_unix sources (support.c, pam_unix_auth.c, pam_unix_sess.c) for the
// message texts, with the module in the tag (`svc(pam_unix)[pid]`) as Linux-PAM wrote it before
// 0.78; Elastic filebeat `system/auth` ingest pipeline for the ECS fields; util-linux login.c,
// shadow-utils (useradd.c, gpasswd.c, chage.c), sudo's logging.c, vsftpd logging.c, ProFTPD
// "Log Messages" howto, MIT krb5 appl/bsd klogind, systemd unit status texts.
const PAM = 'Linux-PAM pam_unix support.c _unix_verify_password(); filebeat system/auth pipeline';
const LEGACY = 'Linux-PAM < 0.78 _pam_log() tag "service(pam_unix)[pid]" (Red Hat 7.x–9, FC1–3); filebeat system/auth pipeline';

const family: ConformanceFamily = {
  family: 'Linux auth (all generations)',
  cases: [
    {
      name: 'legacy sshd(pam_unix) failure, remote host as a name',
      reference: LEGACY,
      line: 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=host.example.net  user=root',
      expected: {
        'event.action': 'pam_authentication', 'event.outcome': 'failure', 'event.category': ['authentication'],
        'source.domain': 'host.example.net', 'user.name': 'root', 'process.name': 'sshd', 'process.pid': 19939, 'host.name': 'combo',
      },
    },
    {
      name: 'legacy sshd(pam_unix) failure, remote host as an address',
      reference: LEGACY,
      line: 'Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220.117.241.87  user=root',
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'source.ip': '220.117.241.87', 'user.name': 'root', 'process.name': 'sshd' },
    },
    {
      name: 'legacy check pass; user unknown',
      reference: LEGACY,
      line: 'Jun 15 02:04:59 combo sshd(pam_unix)[20884]: check pass; user unknown',
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'event.reason': 'user unknown', 'process.name': 'sshd' },
    },
    {
      name: 'legacy su(pam_unix) session opened by uid 0',
      reference: LEGACY,
      line: 'Jun 15 04:06:18 combo su(pam_unix)[21416]: session opened for user cyrus by (uid=0)',
      expected: { 'event.action': 'session_opened', 'event.outcome': 'success', 'event.category': ['authentication', 'session'], 'user.name': 'cyrus', 'process.name': 'su' },
    },
    {
      name: 'legacy su(pam_unix) failure names requester and target',
      reference: LEGACY,
      line: 'Jun 15 12:12:34 combo su(pam_unix)[21540]: authentication failure; logname=alice uid=500 euid=0 tty= ruser=alice rhost=  user=root',
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'user.name': 'alice', 'user.target.name': 'root' },
    },
    {
      name: 'modern pam_unix(sshd:auth) failure',
      reference: PAM,
      line: 'Mar 14 09:12:00 gw sshd[2210]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root',
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'source.ip': '203.0.113.7', 'user.name': 'root', 'process.name': 'sshd', 'process.pid': 2210 },
    },
    {
      name: 'pam_faillock lock-out',
      reference: 'Linux-PAM modules/pam_faillock/pam_faillock.c "Consecutive login failures for user %s account temporarily locked"',
      line: 'Mar 14 09:12:30 gw sshd[2212]: pam_faillock(sshd:auth): Consecutive login failures for user root account temporarily locked',
      expected: { 'event.action': 'user_locked_out', 'event.outcome': 'failure', 'user.target.name': 'root', 'process.name': 'sshd' },
    },
    {
      name: 'unix_chkpwd password check failed',
      reference: 'Linux-PAM modules/pam_unix/unix_chkpwd.c helper_log_err "password check failed for user (%s)"',
      line: 'Mar 14 09:13:00 gw unix_chkpwd[2300]: password check failed for user (root)',
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'user.name': 'root', 'process.name': 'unix_chkpwd', 'process.pid': 2300 },
    },
    {
      name: 'sudo without a tty',
      reference: 'sudo logging.c log line "user : TTY=unknown ; PWD=… ; USER=… ; COMMAND=…"; filebeat system/auth sudo grok',
      line: 'Mar 14 09:14:00 gw sudo:   backup : TTY=unknown ; PWD=/ ; USER=root ; COMMAND=/usr/bin/rsync -a /srv /mnt/backup',
      expected: {
        'event.action': 'sudo_command', 'event.outcome': 'success', 'user.name': 'backup', 'user.target.name': 'root',
        'process.command_line': '/usr/bin/rsync -a /srv /mnt/backup', 'process.working_directory': '/', 'process.name': 'sudo',
      },
    },
    {
      name: 'sudo PAM authentication failure',
      reference: PAM,
      line: 'Mar 14 09:14:10 gw sudo: pam_unix(sudo:auth): authentication failure; logname=intern uid=1003 euid=0 tty=/dev/pts/2 ruser=intern rhost=  user=intern',
      expected: { 'event.action': 'pam_authentication', 'event.outcome': 'failure', 'user.name': 'intern', 'process.name': 'sudo' },
    },
    {
      name: 'su failure (util-linux)',
      reference: 'util-linux login-utils/su-common.c log_syslog "FAILED SU (to %s) %s on %s"',
      line: 'Mar 14 09:15:00 gw su[2400]: FAILED SU (to root) intern on pts/2',
      expected: { 'event.action': 'switch_user', 'event.outcome': 'failure', 'user.name': 'intern', 'user.target.name': 'root' },
    },
    {
      name: 'login failure on the console',
      reference: 'util-linux login-utils/login.c "FAILED LOGIN %u FROM %s FOR %s, %s"',
      line: 'Jun 16 10:01:22 combo login[2402]: FAILED LOGIN 1 FROM (null) FOR root, Authentication failure',
      expected: { 'event.action': 'user_login', 'event.outcome': 'failure', 'event.category': ['authentication'], 'user.name': 'root', 'process.name': 'login' },
    },
    {
      name: 'root login on a tty',
      reference: 'util-linux login-utils/login.c "ROOT LOGIN ON %s"',
      line: 'Jun 16 10:02:01 combo login[2402]: ROOT LOGIN ON tty1',
      expected: { 'event.action': 'user_login', 'event.outcome': 'success', 'user.name': 'root', 'vendor.tty': 'tty1' },
    },
    {
      name: 'legacy login(pam_unix) session by LOGIN',
      reference: LEGACY,
      line: 'Jun 16 10:02:01 combo login(pam_unix)[2402]: session opened for user root by LOGIN(uid=0)',
      expected: { 'event.action': 'session_opened', 'user.name': 'root', 'process.name': 'login' },
    },
    {
      name: 'klogind authentication failure',
      reference: 'MIT krb5 appl/bsd/krlogind.c "Authentication failed from %s (%s): %s"',
      line: 'Jun 17 07:07:00 combo klogind[19287]: Authentication failed from 198.51.100.39 (client39.example.org): Permission denied in replay cache code',
      expected: { 'event.action': 'user_login', 'event.outcome': 'failure', 'source.ip': '198.51.100.39', 'source.domain': 'client39.example.org', 'process.name': 'klogind' },
    },
    {
      name: 'ftpd connection with address and name',
      reference: 'BSD ftpd (Red Hat ftpd/wu-ftpd) "connection from %s (%s) at %s"',
      line: 'Jun 17 20:20:48 combo ftpd[24085]: connection from 203.0.113.129 (host129.example.com) at Fri Jun 17 20:20:48 2005',
      expected: { 'event.action': 'service_connection', 'event.outcome': 'success', 'source.ip': '203.0.113.129', 'source.domain': 'host129.example.com', 'process.pid': 24085 },
    },
    {
      name: 'ftpd anonymous login',
      reference: 'BSD ftpd "ANONYMOUS FTP LOGIN FROM %s, %s"',
      line: 'Jun 17 20:21:02 combo ftpd[24085]: ANONYMOUS FTP LOGIN FROM 203.0.113.129, (anonymous)',
      expected: { 'event.action': 'user_login', 'event.outcome': 'success', 'user.name': 'anonymous', 'source.ip': '203.0.113.129' },
    },
    {
      name: 'vsftpd failed login over syslog',
      reference: 'vsftpd logging.c vsf_log_do_log_to_file: "[user] FAIL LOGIN: Client \\"addr\\""',
      line: 'Mar 14 09:20:00 files vsftpd[3100]: [ftpuser] FAIL LOGIN: Client "::ffff:192.0.2.44"',
      expected: { 'event.action': 'user_login', 'event.outcome': 'failure', 'user.name': 'ftpuser', 'source.ip': '192.0.2.44', 'process.name': 'vsftpd' },
    },
    {
      name: 'ProFTPD failed login with client name',
      reference: 'ProFTPD doc/howto/LogMessages.html: "USER %s (Login failed): Incorrect password"',
      line: 'Mar 14 09:21:00 files proftpd[3200]: files.example.cn (scanner.example.net[198.51.100.61]) - USER admin (Login failed): Incorrect password',
      expected: { 'event.action': 'user_login', 'event.outcome': 'failure', 'user.name': 'admin', 'source.ip': '198.51.100.61', 'source.domain': 'scanner.example.net' },
    },
    {
      name: 'useradd new user (old lowercase keys)',
      reference: 'shadow-utils 4.0 useradd.c SYSLOG "new user: name=%s, uid=%u, gid=%u, home=%s, shell=%s"',
      line: 'Jun 18 11:00:00 combo useradd[3001]: new user: name=webadm, uid=502, gid=502, home=/home/webadm, shell=/bin/bash',
      expected: { 'event.action': 'user_created', 'event.outcome': 'success', 'event.category': ['iam'], 'user.target.name': 'webadm', 'user.target.id': '502', 'process.name': 'useradd' },
    },
    {
      name: 'useradd failure',
      reference: 'shadow-utils useradd.c SYSLOG "failed adding user \'%s\', data deleted"',
      line: "Mar 14 09:30:00 gw useradd[3002]: failed adding user 'svc_tmp', data deleted",
      expected: { 'event.action': 'user_created', 'event.outcome': 'failure', 'user.target.name': 'svc_tmp' },
    },
    {
      name: 'gpasswd adds a member',
      reference: 'shadow-utils gpasswd.c "user %s added by %s to group %s"',
      line: 'Mar 14 09:31:00 gw gpasswd[3003]: user svc_tmp added by root to group wheel',
      expected: { 'event.action': 'group_member_added', 'user.name': 'root', 'user.target.name': 'svc_tmp', 'group.name': 'wheel' },
    },
    {
      name: 'groupdel removes a group',
      reference: "shadow-utils groupdel.c \"group '%s' removed\"",
      line: "Mar 14 09:32:00 gw groupdel[3004]: group 'contractors' removed",
      expected: { 'event.action': 'group_deleted', 'event.category': ['iam'], 'group.name': 'contractors' },
    },
    {
      name: 'chage changes password expiry',
      reference: 'shadow-utils chage.c SYSLOG "changed password expiry for %s"',
      line: 'Mar 14 09:33:00 gw chage[3005]: changed password expiry for webadm',
      expected: { 'event.action': 'user_modified', 'event.outcome': 'success', 'user.target.name': 'webadm', 'process.name': 'chage' },
    },
    {
      name: 'passwd via legacy PAM tag',
      reference: LEGACY,
      line: 'Jun 18 11:01:00 combo passwd(pam_unix)[3010]: password changed for webadm',
      expected: { 'event.action': 'user_password_changed', 'event.outcome': 'success', 'user.target.name': 'webadm', 'process.name': 'passwd' },
    },
    {
      name: 'systemd started a unit (systemd ≥ 250 names the unit)',
      reference: 'systemd src/core/job.c job_done_messages "Started %s."; unit-id prefix since v250',
      line: 'Mar 14 09:34:00 gw systemd[1]: Started sshd.service - OpenSSH server daemon.',
      expected: { 'event.action': 'service_started', 'event.outcome': 'success', 'vendor.unit': 'sshd.service', 'process.name': 'systemd', 'process.pid': 1 },
    },
    {
      name: 'systemd stopped a unit',
      reference: 'systemd src/core/job.c "Stopped %s."',
      line: 'Mar 14 09:35:00 gw systemd[1]: Stopped Command Scheduler.',
      expected: { 'event.action': 'service_stopped', 'event.outcome': 'success', 'vendor.unit_description': 'Command Scheduler' },
    },
    {
      name: 'sshd subsystem request',
      reference: 'OpenSSH session.c session_subsystem_req "subsystem request for %.100s by user %s"',
      line: 'Mar 14 09:36:00 gw sshd[2500]: subsystem request for sftp by user ops',
      expected: { 'event.action': 'ssh_subsystem_request', 'vendor.subsystem': 'sftp', 'user.name': 'ops', 'process.name': 'sshd' },
    },
    {
      name: 'sshd PAM: User not known, host as a name',
      reference: 'OpenSSH 3.x auth-pam.c "PAM: %s for %s%.100s from %.100s" with pam_strerror PAM_USER_UNKNOWN',
      line: 'Jun 19 03:03:03 combo sshd[5101]: error: PAM: User not known to the underlying authentication module for illegal user oracle from scan-7.example.net',
      expected: { 'event.action': 'ssh_invalid_user', 'event.outcome': 'failure', 'user.name': 'oracle', 'source.domain': 'scan-7.example.net' },
    },
    {
      name: 'logind new session',
      reference: 'systemd src/login/logind-session.c "New session %s of user %s."',
      line: 'Mar 14 09:37:00 gw systemd-logind[900]: New session 42 of user ops.',
      expected: { 'event.action': 'session_opened', 'user.name': 'ops', 'vendor.session_id': '42' },
    },
  ],
};
export default family;
