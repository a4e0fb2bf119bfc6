import { parseLine } from '../index.js';
import type { NormalizedEvent } from '../index.js';

const ctx = { source: 'test', transport: 'syslog' as const, receivedAt: new Date('2024-06-02T00:00:00Z') };
const sshd = (message: string): NormalizedEvent => parseLine(`Jun  1 10:00:00 bastion sshd[4242]: ${message}`, ctx);
const brief = (e: NormalizedEvent) => ({
  action: e.event.action, outcome: e.event.outcome, user: e.user?.name, source: e.source,
});

describe('sshd', () => {
  it.each([
    ['Failed password for root from 203.0.113.9 port 52811 ssh2', 'ssh_login', 'failure', 'root', { ip: '203.0.113.9', port: 52811 }],
    ['Failed password for invalid user admin from 203.0.113.9 port 1 ssh2', 'ssh_login', 'failure', 'admin', { ip: '203.0.113.9', port: 1 }],
    ['Failed none for invalid user  from 2001:db8::7 port 22 ssh2', 'ssh_login', 'failure', undefined, { ip: '2001:db8::7', port: 22 }],
    ['Failed publickey for git user from 198.51.100.1 port 3 ssh2', 'ssh_login', 'failure', 'git user', { ip: '198.51.100.1', port: 3 }],
    ['Accepted password for 张伟 from 10.0.0.8 port 50000 ssh2', 'ssh_login', 'success', '张伟', { ip: '10.0.0.8', port: 50000 }],
    ['Accepted keyboard-interactive/pam for ops from 10.0.0.8 port 1022 ssh2', 'ssh_login', 'success', 'ops', { ip: '10.0.0.8', port: 1022 }],
    ['Invalid user oracle from 198.51.100.4', 'ssh_invalid_user', 'failure', 'oracle', { ip: '198.51.100.4' }],
    ['Invalid user oracle from 198.51.100.4 port 40404', 'ssh_invalid_user', 'failure', 'oracle', { ip: '198.51.100.4', port: 40404 }],
    ['input_userauth_request: invalid user oracle [preauth]', 'ssh_invalid_user', 'failure', 'oracle', undefined],
    ['User root from 198.51.100.4 not allowed because not listed in AllowUsers', 'ssh_login', 'failure', 'root', { ip: '198.51.100.4' }],
    ['error: PAM: Authentication failure for illegal user test from scanner.example.net', 'ssh_login', 'failure', 'test', { domain: 'scanner.example.net' }],
    ['error: maximum authentication attempts exceeded for invalid user pi from 192.0.2.1 port 3333 ssh2 [preauth]', 'ssh_auth_failures_exceeded', 'failure', 'pi', { ip: '192.0.2.1', port: 3333 }],
    ['Disconnecting: Too many authentication failures for admin [preauth]', 'ssh_auth_failures_exceeded', 'failure', 'admin', undefined],
    ['Disconnecting invalid user ubnt 192.0.2.1 port 4444: Too many authentication failures [preauth]', 'ssh_auth_failures_exceeded', 'failure', 'ubnt', { ip: '192.0.2.1', port: 4444 }],
    ['PAM service(sshd) ignoring max retries; 6 > 3', 'ssh_auth_failures_exceeded', 'failure', undefined, undefined],
    ['Received disconnect from 192.0.2.1 port 5555:11: Bye Bye [preauth]', 'ssh_disconnect', undefined, undefined, { ip: '192.0.2.1', port: 5555 }],
    ['Disconnected from authenticating user root 192.0.2.1 port 6666 [preauth]', 'ssh_disconnect', undefined, 'root', { ip: '192.0.2.1', port: 6666 }],
    ['Connection closed by invalid user admin 192.0.2.1 port 7777 [preauth]', 'ssh_disconnect', undefined, 'admin', { ip: '192.0.2.1', port: 7777 }],
    ['Connection reset by 192.0.2.1 port 8888 [preauth]', 'ssh_disconnect', undefined, undefined, { ip: '192.0.2.1', port: 8888 }],
    ['Did not receive identification string from 192.0.2.1 port 9999', 'ssh_no_identification', undefined, undefined, { ip: '192.0.2.1', port: 9999 }],
    ['Unable to negotiate with 192.0.2.1 port 1111: no matching key exchange method found.', 'ssh_protocol_error', undefined, undefined, { ip: '192.0.2.1', port: 1111 }],
    ['Address 192.0.2.1 maps to spoof.example.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!', 'ssh_reverse_mapping_failed', undefined, undefined, { ip: '192.0.2.1' }],
    ['Received signal 15; terminating.', 'service_stopped', 'success', undefined, undefined],
  ])('%s', (message, action, outcome, user, source) => {
    expect(brief(sshd(message))).toEqual({ action, outcome, user, source });
  });

  it('records the auth method and marks invalid users', () => {
    expect(sshd('Failed password for invalid user admin from 203.0.113.9 port 1 ssh2').vendor).toEqual({ auth_method: 'password', invalid_user: true });
  });

  it('keeps the claimed reverse name apart from the verified address', () => {
    const e = sshd('reverse mapping checking getaddrinfo for evil.example [192.0.2.1] failed - POSSIBLE BREAK-IN ATTEMPT!');
    expect(e.source).toEqual({ ip: '192.0.2.1' });
    expect(e.vendor).toEqual({ claimed_hostname: 'evil.example' });
    expect(e.event.category).toEqual(['network', 'intrusion_detection']);
  });

  it('records local and remote ends of "Connection from"', () => {
    const e = sshd('Connection from 192.0.2.1 port 50123 on 10.0.0.2 port 22 rdomain ""');
    expect(e.event.action).toBe('ssh_connection');
    expect(e.destination).toEqual({ ip: '10.0.0.2', port: 22 });
  });

  it('reads OpenSSH 9.8+ whose per-connection process is sshd-session', () => {
    const e = parseLine('Jun  1 10:00:00 h sshd-session[7]: Failed password for root from 192.0.2.1 port 2 ssh2', ctx);
    expect(e.event.action).toBe('ssh_login');
    expect(e.event.dataset).toBe('system.auth');
  });

  it('keeps an unrecognised sshd message as unknown with its syslog fields', () => {
    const e = sshd('Postponed keyboard-interactive for root from 192.0.2.1 port 1 ssh2 [preauth]');
    expect(e.event.action).toBe('unknown');
    expect(e.process).toEqual({ name: 'sshd', pid: 4242 });
    expect(e.message).toBe('Postponed keyboard-interactive for root from 192.0.2.1 port 1 ssh2 [preauth]');
  });
});
