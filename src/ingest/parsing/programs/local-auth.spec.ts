import { parseLine } from '../index.js';
import type { NormalizedEvent } from '../index.js';

const ctx = { source: 'test', transport: 'file' as const, receivedAt: new Date('2024-06-02T00:00:00Z') };
const line = (program: string, message: string): NormalizedEvent => parseLine(`Jun  1 10:00:00 db01 ${program}: ${message}`, ctx);

describe('PAM', () => {
  it('reads an authentication failure with remote host and user', () => {
    const e = line('sshd[1]', 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root');
    expect(e.event).toMatchObject({ action: 'pam_authentication', outcome: 'failure', category: ['authentication'], type: ['start'] });
    expect(e.user).toEqual({ name: 'root' });
    expect(e.source).toEqual({ ip: '198.51.100.7' });
    expect(e.vendor).toEqual({ pam_module: 'pam_unix', pam_service: 'sshd', tty: 'ssh', uid: 0 });
  });

  it('puts a resolved remote host name in source.domain', () => {
    const e = line('sshd[1]', 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=host.example.cn');
    expect(e.source).toEqual({ domain: 'host.example.cn' });
    expect(e.user).toBeUndefined();
  });

  it('reads the summary "PAM N more authentication failures"', () => {
    const e = line('sshd[1]', 'PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root');
    expect([e.event.action, e.user?.name, e.source?.ip, e.vendor?.repeat_count]).toEqual(['pam_authentication', 'root', '198.51.100.7', 4]);
  });

  it('tells who switched to whom in session lines', () => {
    const su = line('su[9]', 'pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)');
    expect([su.event.action, su.user]).toEqual(['session_opened', { name: 'alice', target: { name: 'root' } }]);
    const ssh = line('sshd[9]', 'pam_unix(sshd:session): session opened for user fztu by (uid=0)');
    expect(ssh.user).toEqual({ name: 'fztu' });
  });

  it('recognises PAM lines from programs it has no parser for', () => {
    const e = line('login[300]', 'pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=tty1 ruser= rhost=  user=operator');
    expect([e.event.action, e.event.dataset, e.user?.name, e.source]).toEqual(['pam_authentication', 'system.auth', 'operator', undefined]);
  });
});

describe('sudo', () => {
  it('reads a command run as another user', () => {
    const e = line('sudo', '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx');
    expect(e.event).toMatchObject({ action: 'sudo_command', outcome: 'success', category: ['process'], dataset: 'system.auth' });
    expect(e.user).toEqual({ name: 'alice', target: { name: 'root' } });
    expect(e.process).toEqual({ name: 'sudo', command_line: '/usr/bin/systemctl restart nginx', working_directory: '/home/alice' });
    expect(e.vendor).toEqual({ tty: 'pts/0' });
  });

  it('reads incorrect password attempts', () => {
    const e = line('sudo', 'bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash');
    expect(e.event).toMatchObject({ action: 'sudo_auth_failure', outcome: 'failure', reason: '3 incorrect password attempts' });
    expect(e.vendor?.failed_attempts).toBe(3);
    expect(e.process?.command_line).toBe('/bin/bash');
  });

  it('reads a refusal and keeps " ; " inside the command', () => {
    const e = line('sudo', 'eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/ ; USER=root ; COMMAND=/bin/sh -c id ; whoami');
    expect(e.event).toMatchObject({ action: 'sudo_command', outcome: 'failure', reason: 'user NOT in sudoers' });
    expect(e.process?.command_line).toBe('/bin/sh -c id ; whoami');
  });

  it('hands its PAM lines to the PAM parser', () => {
    expect(line('sudo', 'pam_unix(sudo:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob').event.action).toBe('pam_authentication');
  });
});

describe('su', () => {
  it.each([
    ['Successful su for root by alice', 'success'],
    ['FAILED su for root by alice', 'failure'],
    ['+ pts/3 alice:root', 'success'],
    ['- pts/3 alice:root', 'failure'],
    ['(to root) alice on pts/3', 'success'],
    ['FAILED SU (to root) alice on pts/3', 'failure'],
  ])('%s', (message, outcome) => {
    const e = line('su[12]', message);
    expect([e.event.action, e.event.outcome, e.user]).toEqual(['switch_user', outcome, { name: 'alice', target: { name: 'root' } }]);
  });
});

describe('cron', () => {
  it('reads the command and the user it runs as', () => {
    const e = line('CRON[2001]', '(www-data) CMD (php /var/www/artisan schedule:run >> /dev/null 2>&1)');
    expect([e.event.action, e.user?.name, e.process?.command_line]).toEqual(['cron_command', 'www-data', 'php /var/www/artisan schedule:run >> /dev/null 2>&1']);
  });

  it('reads its PAM session lines', () => {
    expect(line('CRON[2001]', 'pam_unix(cron:session): session opened for user root by (uid=0)').event.action).toBe('session_opened');
  });
});

describe('account tools', () => {
  it.each<[string, string, string, Partial<NormalizedEvent>]>([
    ['useradd[1]', 'new user: name=backdoor, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0', 'user_created',
      { user: { target: { name: 'backdoor', id: '0' } }, vendor: { gid: '0', home: '/root', shell: '/bin/bash', from: '/dev/pts/0' } }],
    ['groupadd[1]', 'group added to /etc/group: name=ops, GID=1005', 'group_created', { group: { name: 'ops', id: '1005' } }],
    ['useradd[1]', 'new group: name=bob, GID=1001', 'group_created', { group: { name: 'bob', id: '1001' } }],
    ['usermod[1]', "add 'bob' to group 'sudo'", 'group_member_added', { user: { target: { name: 'bob' } }, group: { name: 'sudo' } }],
    ['usermod[1]', "add 'bob' to shadow group 'wheel'", 'group_member_added', { group: { name: 'wheel' } }],
    ['gpasswd[1]', 'user bob removed by root from group docker', 'group_member_removed',
      { user: { name: 'root', target: { name: 'bob' } }, group: { name: 'docker' } }],
    ['userdel[1]', "delete user 'bob'", 'user_deleted', { user: { target: { name: 'bob' } } }],
    ['userdel[1]', "removed group 'bob' owned by 'bob'", 'group_deleted', { group: { name: 'bob' } }],
    ['groupdel[1]', "group 'ops' removed", 'group_deleted', { group: { name: 'ops' } }],
    ['usermod[1]', "lock user 'bob' password", 'user_disabled', { user: { target: { name: 'bob' } } }],
    ['usermod[1]', "change user 'bob' shell from '/bin/sh' to '/bin/bash'", 'user_modified', { user: { target: { name: 'bob' } } }],
    ['passwd[1]', 'pam_unix(passwd:chauthtok): password changed for bob', 'user_password_changed', { user: { target: { name: 'bob' } } }],
    ['passwd[1]', "password for 'bob' changed by 'root'", 'user_password_changed', { user: { name: 'root', target: { name: 'bob' } } }],
  ])('%s %s', (program, message, action, fields) => {
    const e = line(program, message);
    expect(e.event.action).toBe(action);
    expect(e.event.category).toEqual(['iam']);
    expect(e).toMatchObject(fields);
  });
});
