import { readFileSync } from 'node:fs';
import { parseBytes } from './index.js';
import type { FormatHint, NormalizedEvent, Transport } from './index.js';

/** Every hand-written sample line in fixtures/logs must parse to a known event of its format. */

const dir = new URL('../../../fixtures/logs/', import.meta.url);

function parseFile(name: string, transport: Transport = 'file', format: FormatHint = 'auto'): NormalizedEvent[] {
  const bytes = readFileSync(new URL(name, dir));
  const events: NormalizedEvent[] = [];
  let start = 0;
  // split on bytes, not text: the GBK file must reach the decoder undecoded
  for (let nl = bytes.indexOf(10); nl >= 0; start = nl + 1, nl = bytes.indexOf(10, start)) {
    if (nl > start) events.push(parseBytes(bytes.subarray(start, nl), { source: name, transport, format, receivedAt: new Date('2024-06-02T00:00:00Z') }));
  }
  return events;
}

const actions = (events: NormalizedEvent[]) => events.map((e) => e.event.action);

describe('fixtures/logs samples', () => {
  it('auth.log', () => {
    expect(actions(parseFile('auth.log'))).toEqual([
      'session_opened', 'cron_command', 'session_closed', 'ssh_connection', 'ssh_invalid_user', 'pam_authentication',
      'pam_authentication', 'ssh_login', 'ssh_disconnect', 'ssh_login', 'session_opened', 'sudo_command', 'session_opened',
      'sudo_auth_failure', 'switch_user', 'switch_user', 'group_created', 'user_created', 'group_member_added',
      'user_password_changed', 'user_deleted', 'ssh_disconnect', 'session_closed',
    ]);
  });

  it('auth-gbk.log', () => {
    const events = parseFile('auth-gbk.log');
    expect(events.map((e) => [e.event.action, e.user?.name, e.tags])).toEqual([
      ['network_flow_denied', '乡镇管理员', ['gb18030']],
      ['ssh_login', '管理员', ['gb18030']],
      ['ssh_invalid_user', '测试', ['gb18030']],
    ]);
  });

  it('syslog-rfc5424.log', () => {
    const events = parseFile('syslog-rfc5424.log', 'syslog');
    expect(actions(events)).toEqual(['ssh_login', 'ssh_login', 'user_created']);
    expect(events[1].log?.syslog?.structured_data).toEqual({ 'meta@32473': { site: '东门', seq: '12' } });
    expect(events[1].message?.startsWith('Accepted')).toBe(true);
  });

  it('web server logs', () => {
    expect(parseFile('nginx-access.log', 'file', 'nginx').map((e) => [e.event.dataset, e.http?.response?.status_code])).toEqual([
      ['nginx.access', 200], ['nginx.access', 403], ['nginx.access', 400], ['nginx.access', 200],
    ]);
    expect(actions(parseFile('nginx-error.log'))).toEqual(['web_access_denied', 'web_file_not_found', 'web_server_message']);
    expect(parseFile('apache-access.log', 'file', 'apache').map((e) => [e.event.dataset, e.event.outcome])).toEqual([
      ['apache.access', 'failure'], ['apache.access', 'failure'],
    ]);
  });

  it('firewall logs', () => {
    expect(actions(parseFile('iptables.log'))).toEqual(['network_flow_denied', 'network_flow_allowed', 'network_flow_denied']);
    const kv = parseFile('firewall-kv.log', 'syslog');
    expect(kv.map((e) => [e.event.action, e['@timestamp'], e.destination?.port])).toEqual([
      ['network_flow_denied', '2024-06-01T02:40:00.000Z', 4444],
      ['network_flow_allowed', '2024-06-01T02:40:05.000Z', 443],
      ['network_flow_denied', '2024-06-01T02:40:10.000Z', 1433],
    ]);
  });

  it('windows-security.ndjson', () => {
    expect(parseFile('windows-security.ndjson', 'http').map((e) => [e.event.action, e.event.outcome, e.user?.name])).toEqual([
      ['user_login', 'failure', 'administrator'],
      ['user_login', 'success', 'zhang.wei'],
      ['user_created', 'success', 'it-admin'],
      ['audit_log_cleared', 'success', undefined],
    ]);
  });

  it('iot-telemetry.ndjson', () => {
    expect(parseFile('iot-telemetry.ndjson', 'mqtt').map((e) => [e.device?.id, e['@timestamp'], Object.keys(e.metrics ?? {})])).toEqual([
      ['cam-dongmen-01', '2024-06-01T03:00:00.000Z', ['temperature', 'cpu', 'online']],
      ['meter-0207', '2024-06-01T03:00:00.500Z', ['voltage', 'current', 'power']],
      ['aq-park-03', '2024-06-01T03:00:00.000Z', ['pm25', 'pm10', 'humidity']],
    ]);
  });
});
