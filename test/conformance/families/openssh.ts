import type { ConformanceFamily } from '../case.js';

const family: ConformanceFamily = {
  family: 'OpenSSH sshd',
  cases: [
    {
      name: 'failed password for an invalid user',
      reference: 'OpenSSH auth.c auth_log() message shapes; loghub OpenSSH_2k',
      line: 'Mar 14 09:12:01 gw sshd[2211]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2',
      expected: {
        'event.action': 'ssh_login', 'event.outcome': 'failure', 'event.category': ['authentication'],
        'source.ip': '203.0.113.7', 'source.port': 51234, 'user.name': 'admin',
        'process.name': 'sshd', 'process.pid': 2211, 'host.name': 'gw',
      },
    },
    {
      name: 'accepted public key',
      reference: 'OpenSSH auth.c auth_log(): "Accepted %s for %s from %.200s port %d %s"',
      line: 'Mar 14 09:13:44 gw sshd[2240]: Accepted publickey for ops from 10.20.1.5 port 40022 ssh2: RSA SHA256:Zb6dZ0lq2vKx3vBqQm4b8yH2S1pZ2kq0n9c4f1JtY0E',
      expected: {
        'event.action': 'ssh_login', 'event.outcome': 'success', 'event.category': ['authentication'],
        'source.ip': '10.20.1.5', 'source.port': 40022, 'user.name': 'ops', 'process.name': 'sshd', 'host.name': 'gw',
      },
    },
  ],
};
export default family;
