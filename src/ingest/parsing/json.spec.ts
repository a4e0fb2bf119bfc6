import { parseJsonRecord, parseLine } from './index.js';
import type { ParseContext, Transport } from './index.js';

const ctx = (transport: Transport = 'http', extra: Partial<ParseContext> = {}): ParseContext => ({
  source: 'collector-1', transport, receivedAt: new Date('2024-06-02T00:00:00Z'), ...extra,
});

const evtx4625 = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '54849625-5478-4994-A5BA-3E3B0328C30D' } },
      EventID: 4625, Version: 0, Level: 0, Task: 12544, Opcode: 0, Keywords: '0x8010000000000000',
      Correlation: { '#attributes': { ActivityID: '{C96B491C-1545-0001-6049-6BC94515DD01}' } },
      Execution: { '#attributes': { ProcessID: 680, ThreadID: 1234 } },
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
      TimeCreated: { '#attributes': { SystemTime: '2024-06-01T02:03:04.567890Z' } },
      EventRecordID: 881234, Channel: 'Security', Computer: 'ZW-DC01.city.local',
    },
    EventData: {
      SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', TargetUserName: 'administrator', TargetDomainName: 'CITY',
      Status: '0xc000006d', FailureReason: '%%2313', SubStatus: '0xc000006a', LogonType: 3,
      WorkstationName: 'KALI', IpAddress: '203.0.113.66', IpPort: '50123',
    },
  },
};

describe('Windows events', () => {
  it('reads the evtx_dump shape', () => {
    const e = parseJsonRecord(evtx4625, ctx());
    expect(e['@timestamp']).toBe('2024-06-01T02:03:04.567Z');
    expect(e.event).toMatchObject({
      action: 'user_login', outcome: 'failure', category: ['authentication'], type: ['start'], code: '4625',
      module: 'windows', dataset: 'windows.security', provider: 'Microsoft-Windows-Security-Auditing', reason: '%%2313', severity: 0,
    });
    expect(e.user).toEqual({ name: 'administrator', domain: 'CITY' });
    expect(e.source).toEqual({ ip: '203.0.113.66', port: 50123 });
    expect(e.host).toEqual({ name: 'ZW-DC01.city.local' });
    expect(e.winlog).toEqual({
      event_id: '4625', channel: 'Security', computer_name: 'ZW-DC01.city.local', provider_name: 'Microsoft-Windows-Security-Auditing',
      record_id: '881234', event_data: evtx4625.Event.EventData, logon: { type: '3' },
      // the rest of System, as winlogbeat names it: keyword searches read winlog, not the raw JSON
      provider_guid: '54849625-5478-4994-A5BA-3E3B0328C30D', version: 0, task: 12544, opcode: 0, keywords: '0x8010000000000000',
      activity_id: '{C96B491C-1545-0001-6049-6BC94515DD01}', process: { pid: 680, thread: { id: 1234 } }, user: { identifier: 'S-1-5-18' },
    });
    expect(e.vendor).toEqual({ workstation: 'KALI' });
    expect(e.event.original).toBe(JSON.stringify(evtx4625));
  });

  it('reads EventID written with attributes, as System-channel events are', () => {
    const e = parseJsonRecord({
      Event: {
        System: { EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 }, Channel: 'System', Computer: 'APP01', TimeCreated: { '#attributes': { SystemTime: '2024-06-01T00:00:00Z' } } },
        EventData: { ServiceName: 'updater', ImagePath: 'C:\\Users\\Public\\svc.exe', ServiceType: 'user mode service', AccountName: 'LocalSystem' },
      },
    }, ctx());
    expect([e.event.action, e.event.dataset, e.process]).toEqual(['service_installed', 'windows.system', { executable: 'C:\\Users\\Public\\svc.exe', name: 'svc.exe' }]);
  });

  it('reads the winlogbeat shape: process creation', () => {
    const e = parseJsonRecord({
      '@timestamp': '2024-06-01T08:00:00.000Z',
      message: 'A new process has been created.',
      winlog: {
        event_id: '4688', channel: 'Security', computer_name: 'PC-0231', provider_name: 'Microsoft-Windows-Security-Auditing', record_id: 77,
        api: 'wineventlog', opcode: 'Info', keywords: ['Audit Success'], process: { pid: 4, thread: { id: 5016 } },
        event_data: { SubjectUserName: 'clerk', SubjectDomainName: 'CITY', NewProcessName: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami' },
      },
    }, ctx());
    expect(e.event).toMatchObject({ action: 'process_started', outcome: 'success', code: '4688' });
    expect(e.user).toEqual({ name: 'clerk', domain: 'CITY' });
    expect(e.process).toEqual({ executable: 'C:\\Windows\\System32\\cmd.exe', name: 'cmd.exe', command_line: 'cmd.exe /c whoami' });
    expect(e.message).toBe('A new process has been created.');
    expect(e.winlog?.record_id).toBe('77');
    // winlogbeat's other winlog fields stay, as sent
    expect(e.winlog).toMatchObject({ api: 'wineventlog', opcode: 'Info', keywords: ['Audit Success'], process: { pid: 4, thread: { id: 5016 } } });
  });

  it('takes the rendered message of an export that has one', () => {
    const rendered = structuredClone(evtx4625) as typeof evtx4625 & { Event: { RenderingInfo?: unknown } };
    rendered.Event.RenderingInfo = { '#attributes': { Culture: 'en-US' }, Message: 'An account failed to log on.', Level: 'Information' };
    expect(parseJsonRecord(rendered, ctx()).message).toBe('An account failed to log on.');
    expect(parseJsonRecord(evtx4625, ctx()).message).toBeUndefined();
  });

  it('names actor, member and group of a group change', () => {
    const e = parseJsonRecord({
      '@timestamp': '2024-06-01T08:00:00Z',
      winlog: { event_id: 4732, channel: 'Security', event_data: { SubjectUserName: 'it-admin', MemberName: 'CN=temp,OU=Users,DC=city,DC=local', TargetUserName: 'Administrators' } },
    }, ctx());
    expect([e.event.action, e.user, e.group]).toEqual([
      'group_member_added', { name: 'it-admin', target: { name: 'CN=temp,OU=Users,DC=city,DC=local' } }, { name: 'Administrators' },
    ]);
  });

  it('derives Kerberos outcome from Status', () => {
    const ok = parseJsonRecord({ '@timestamp': '2024-06-01T08:00:00Z', winlog: { event_id: '4768', event_data: { TargetUserName: 'u1', Status: '0x0' } } }, ctx());
    const bad = parseJsonRecord({ '@timestamp': '2024-06-01T08:00:00Z', winlog: { event_id: '4768', event_data: { TargetUserName: 'u1', Status: '0x18' } } }, ctx());
    expect([ok.event.outcome, bad.event.outcome]).toEqual(['success', 'failure']);
  });

  it('keeps other event ids as windows_event', () => {
    const e = parseJsonRecord({ '@timestamp': '2024-06-01T08:00:00Z', winlog: { event_id: 5156, channel: 'Security', event_data: {} } }, ctx());
    expect([e.event.action, e.event.code]).toEqual(['windows_event', '5156']);
  });

  it('reads Windows JSON arriving as a text line', () => {
    expect(parseLine(JSON.stringify(evtx4625), ctx('file', { format: 'windows' })).event.action).toBe('user_login');
  });
});

describe('IoT telemetry', () => {
  it('detects a device id with top-level readings', () => {
    const e = parseJsonRecord({ device_id: 'cam-01', ts: 1717207200, temperature: 71.5, online: true, fw: '2.1.0' }, ctx('mqtt'));
    expect(e['@timestamp']).toBe('2024-06-01T02:00:00.000Z');
    expect(e.event).toMatchObject({ kind: 'metric', action: 'device_telemetry', module: 'iot', dataset: 'iot.telemetry' });
    expect(e.device).toEqual({ id: 'cam-01' });
    expect(e.metrics).toEqual({ temperature: 71.5, online: 1 });
    expect(e.vendor).toMatchObject({ fw: '2.1.0' });
  });

  it('reads readings nested under data or params with value wrappers, and ms epochs', () => {
    const e = parseJsonRecord({ deviceId: 'meter-7', model: 'DDS666', timestamp: 1717207200123, params: { voltage: { value: 231.2, time: 1717207200000 }, current: 5 } }, ctx());
    expect([e.device, e.metrics, e['@timestamp']]).toEqual([{ id: 'meter-7', model: { name: 'DDS666' } }, { voltage: 231.2, current: 5 }, '2024-06-01T02:00:00.123Z']);
  });

  it('needs no device id over MQTT, where the topic names the device', () => {
    const e = parseJsonRecord({ pm25: 38, humidity: 61 }, ctx('mqtt'));
    expect([e.event.action, e.metrics, e.device]).toEqual(['device_telemetry', { pm25: 38, humidity: 61 }, undefined]);
  });

  it('does not take a plain application record for telemetry', () => {
    const e = parseJsonRecord({ level: 'info', msg: 'order created', order_id: 5, amount: 12.5 }, ctx());
    expect(e.event.kind).toBe('event');
    expect(e.event.dataset).toBe('generic.json');
  });
});

describe('generic and already-normalized JSON', () => {
  it('maps common field names of generic JSON and keeps the record under vendor', () => {
    const record = { time: '2024-06-01 10:00:00', client_ip: '192.0.2.10', username: 'zhao', msg: '登录成功' };
    const e = parseJsonRecord(record, ctx());
    expect(e['@timestamp']).toBe('2024-06-01T02:00:00.000Z');
    expect([e.event.action, e.source, e.user, e.message]).toEqual(['unknown', { ip: '192.0.2.10' }, { name: 'zhao' }, '登录成功']);
    expect(e.vendor).toEqual(record);
  });

  it('treats JSON flows with both ends as firewall logs', () => {
    const e = parseJsonRecord({ src: '10.0.0.1', dst: '10.0.0.2', dport: '1433', proto: 'TCP', action: 'block' }, ctx());
    expect([e.event.action, e.destination, e.network?.transport]).toEqual(['network_flow_denied', { ip: '10.0.0.2', port: 1433 }, 'tcp']);
  });

  it('passes ECS events through after checking and coercing them', () => {
    const e = parseJsonRecord({
      '@timestamp': '2024-06-01T10:00:00+08:00',
      event: { id: 'abc-1', kind: 'bogus', category: 'authentication', type: ['start', 7], action: 'custom_login', outcome: 'failure', dataset: 'vpn.log', module: 'vpn' },
      source: { ip: '192.0.2.1', port: '443' },
      destination: { ip: 'not-an-ip', port: 70000 },
      host: { name: 'vpn01', ip: '10.0.0.1' },
      taishi: { department: 'forged' },
      agent: { type: 'filebeat' },
    }, ctx());
    expect(e['@timestamp']).toBe('2024-06-01T02:00:00.000Z');
    expect(e.event).toMatchObject({ id: 'abc-1', kind: 'event', category: ['authentication'], type: ['start'], action: 'custom_login', outcome: 'failure', dataset: 'vpn.log', module: 'vpn' });
    expect(e.event.created).toBe('2024-06-02T00:00:00.000Z');
    expect(e.source).toEqual({ ip: '192.0.2.1', port: 443 });
    expect(e.destination).toBeUndefined();
    expect(e.host).toEqual({ name: 'vpn01', ip: ['10.0.0.1'] });
    expect(e.taishi).toBeUndefined();
    expect(e.vendor).toEqual({ agent: { type: 'filebeat' } });
  });

  it('does not pass through an ECS-looking record with a bad timestamp', () => {
    const e = parseJsonRecord({ '@timestamp': 'yesterday', event: { action: 'x' }, user: 'u' }, ctx());
    expect([e.event.action, e.event.dataset, e['@timestamp']]).toEqual(['unknown', 'generic.json', '2024-06-02T00:00:00.000Z']);
  });

  it('keeps non-object JSON as a raw event', () => {
    for (const value of [null, 42, 'text', [1, 2]]) {
      const e = parseJsonRecord(value, ctx());
      expect([e.event.action, e.event.original]).toEqual(['unknown', JSON.stringify(value)]);
    }
  });

  it('reads JSON inside a syslog message, keeping the syslog host', () => {
    const e = parseLine('<134>Jun  1 10:00:00 iot-gw bridge[77]: {"device_id":"lamp-3","voltage":0}', ctx('syslog'));
    expect([e.event.action, e.host?.name, e.device?.id, e.metrics]).toEqual(['device_telemetry', 'iot-gw', 'lamp-3', { voltage: 0 }]);
  });
});

// Shapes as each shipper documents its output: Filebeat's filestream input, Fluent Bit's tail
// input through its HTTP output (json_lines, `date` in epoch seconds), Docker's json-file driver,
// Vector's file source, Logstash's file input with ECS compatibility.
describe('lines wrapped by log shippers', () => {
  it('parses the line Filebeat wraps, keeping the shipper fields under vendor', () => {
    const record = {
      '@timestamp': '2024-06-01T02:03:05.120Z',
      '@metadata': { beat: 'filebeat', type: '_doc', version: '8.13.4' },
      log: { offset: 1024, file: { path: '/var/log/auth.log' } },
      message: 'Jun  1 10:03:04 web01 sshd[2211]: Failed password for invalid user admin from 203.0.113.9 port 50122 ssh2',
      input: { type: 'filestream' },
      ecs: { version: '8.0.0' },
      host: { name: 'web01', os: { family: 'debian' } },
      agent: { type: 'filebeat', version: '8.13.4', name: 'web01' },
    };
    const e = parseJsonRecord(record, ctx());
    expect(e.event).toMatchObject({ module: 'system', dataset: 'system.auth', action: 'ssh_login', outcome: 'failure', original: record.message });
    expect([e['@timestamp'], e.source?.ip, e.user?.name, e.host?.name, e.message]).toEqual(['2024-06-01T02:03:04.000Z', '203.0.113.9', 'admin', 'web01', 'Failed password for invalid user admin from 203.0.113.9 port 50122 ssh2']);
    expect(e.vendor).toMatchObject({ log: record.log, agent: record.agent, input: record.input, host: record.host, '@timestamp': record['@timestamp'] });
  });

  it('parses the line Fluent Bit sends under log, and one without a time of its own takes the shipper time', () => {
    const access = { date: 1717207385.5, log: '192.0.2.7 - - [01/Jun/2024:10:03:04 +0800] "GET /admin HTTP/1.1" 404 153 "-" "curl/8.0"' };
    const a = parseJsonRecord(access, ctx());
    expect([a.event.dataset, a['@timestamp'], a.source?.ip, a.http?.response?.status_code, a.url?.path]).toEqual(['http.access', '2024-06-01T02:03:04.000Z', '192.0.2.7', 404, '/admin']);
    expect(a.vendor).toMatchObject({ date: access.date });

    const flow = { date: 1717207385.5, log: 'src=10.1.1.5 dst=203.0.113.80 dport=3389 proto=tcp action=deny' };
    const f = parseJsonRecord(flow, ctx());
    expect([f.event.dataset, f.event.action, f['@timestamp'], f.destination?.port]).toEqual(['firewall.log', 'network_flow_denied', '2024-06-01T02:03:05.500Z', 3389]);
    expect(f.vendor?.date).toBeUndefined();
  });

  it("parses Docker's json-file lines, newline and all, and Vector's file events", () => {
    const docker = {
      log: '2024/06/01 10:03:04 [error] 31#31: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 192.0.2.8, server: localhost, request: "GET /x HTTP/1.1", host: "localhost"\n',
      stream: 'stderr',
      time: '2024-06-01T02:03:04.123456789Z',
    };
    const d = parseJsonRecord(docker, ctx());
    expect([d.event.dataset, d.source?.ip, d.vendor?.stream]).toEqual(['nginx.error', '192.0.2.8', 'stderr']);

    const vector = { file: '/var/log/syslog', host: 'gw01', message: '<38>Jun  1 10:03:04 gw01 sudo:    zhang : TTY=pts/0 ; PWD=/home/zhang ; USER=root ; COMMAND=/bin/bash', source_type: 'file', timestamp: '2024-06-01T02:03:04.500Z' };
    const v = parseJsonRecord(vector, ctx());
    expect([v.event.dataset, v.user?.name, v.host?.name]).toEqual(['system.auth', 'zhang', 'gw01']);
    expect(v.vendor).toMatchObject({ file: '/var/log/syslog', source_type: 'file', timestamp: vector.timestamp });
    // the shipper's host only named the line's own
    expect(v.vendor?.host).toBeUndefined();
  });

  it('parses a Logstash event, whose event holds only the original', () => {
    const line = '<86>Jun  1 10:03:04 db01 su: pam_unix(su:session): session opened for user root by li(uid=1000)';
    const e = parseJsonRecord({ '@timestamp': '2024-06-01T02:03:05Z', '@version': '1', message: line, event: { original: line }, host: { name: 'db01' }, log: { file: { path: '/var/log/auth.log' } } }, ctx());
    expect([e.event.dataset, e.event.action, e.host?.name]).toEqual(['system.auth', 'session_opened', 'db01']);
  });

  it('keeps a line no parser knows as a raw line only when the record holds nothing else, and passes normalized ECS through', () => {
    const shipped = parseJsonRecord({ '@timestamp': '2024-06-01T02:03:05Z', message: 'order 17 created', host: { name: 'app1' } }, ctx());
    expect([shipped.event.dataset, shipped['@timestamp'], shipped.message, shipped.host?.name, shipped.vendor]).toEqual(['generic.raw', '2024-06-01T02:03:05.000Z', 'order 17 created', 'app1', undefined]);
    const app = parseJsonRecord({ '@timestamp': '2024-06-01T02:03:05Z', level: 'info', message: 'order 17 created', host: { name: 'app1' } }, ctx());
    expect([app.event.dataset, app.message, app.host?.name]).toEqual(['generic.ecs', 'order 17 created', 'app1']);
    const normalized = parseJsonRecord({ '@timestamp': '2024-06-01T02:03:05Z', event: { dataset: 'vpn.log', action: 'vpn_login' }, message: 'Jun  1 10:03:04 web01 sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2' }, ctx());
    expect([normalized.event.dataset, normalized.event.action]).toEqual(['vpn.log', 'vpn_login']);
  });

  it('unwraps once: a wrapper inside the wrapped line stays JSON', () => {
    const inner = JSON.stringify({ message: 'Jun  1 10:03:04 web01 sshd[2211]: Failed password for root from 203.0.113.9 port 1 ssh2' });
    const e = parseJsonRecord({ log: inner, stream: 'stdout' }, ctx());
    expect([e.event.dataset, e.vendor?.message, e.vendor?.stream]).toEqual(['generic.json', JSON.parse(inner).message, 'stdout']);
  });

  it('reads a wrapped line arriving as a text line (a file of NDJSON, a JSON syslog message)', () => {
    const text = JSON.stringify({ '@timestamp': '2024-06-01T02:03:05Z', message: 'Jun  1 10:03:04 web01 sshd[2211]: Accepted publickey for ops from 192.0.2.3 port 50100 ssh2: ED25519 SHA256:x', agent: { type: 'fluent-bit' } });
    const e = parseLine(text, ctx());
    expect([e.event.action, e.event.outcome, e.user?.name, e.event.original]).toEqual(['ssh_login', 'success', 'ops', JSON.parse(text).message]);
  });
});
