import { parseLine } from './index.js';
import type { FormatHint, ParseContext } from './index.js';

const ctx = (format: FormatHint = 'auto'): ParseContext => ({
  source: 'fw', transport: 'syslog', receivedAt: new Date('2024-06-02T00:00:00Z'), format,
});

describe('netfilter', () => {
  it('reads a UFW block from the kernel over syslog', () => {
    const e = parseLine('Jun  1 10:00:00 gw01 kernel: [123456.789012] [UFW BLOCK] IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=203.0.113.7 DST=10.0.0.2 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=54321 PROTO=TCP SPT=41234 DPT=3389 WINDOW=1024 RES=0x00 SYN URGP=0', ctx());
    expect(e.event).toMatchObject({ action: 'network_flow_denied', category: ['network'], type: ['connection', 'denied'], module: 'iptables', dataset: 'iptables.log' });
    expect(e.source).toEqual({ ip: '203.0.113.7', port: 41234 });
    expect(e.destination).toEqual({ ip: '10.0.0.2', port: 3389 });
    expect(e.network).toEqual({ transport: 'tcp', direction: 'ingress' });
    expect(e.observer).toEqual({ type: 'firewall', vendor: 'Linux', product: 'netfilter', name: 'gw01', ingress: { interface: { name: 'eth0' } } });
    expect(e.vendor).toMatchObject({ prefix: '[UFW BLOCK]', TTL: '241', flags: ['SYN'] });
  });

  it('reads a custom prefix and an outgoing accepted packet', () => {
    const e = parseLine('Jun  1 10:00:00 gw01 kernel: OUT-ACCEPT: IN= OUT=eth1 SRC=10.0.0.2 DST=198.51.100.53 LEN=60 PROTO=UDP SPT=5353 DPT=53 LEN=40', ctx('iptables'));
    expect([e.event.action, e.network?.direction, e.network?.transport, e.destination?.port]).toEqual(['network_flow_allowed', 'egress', 'udp', 53]);
  });

  it('reads a bare dmesg-style line without syslog header', () => {
    const e = parseLine('[ 5.1] DROP IN=ppp0 OUT= SRC=192.0.2.9 DST=10.0.0.1 PROTO=ICMP TYPE=8 CODE=0', ctx());
    expect([e.event.action, e.source?.ip, e.network?.transport]).toEqual(['network_flow_denied', '192.0.2.9', 'icmp']);
  });
});

describe('key=value firewall logs', () => {
  it('reads a FortiGate traffic log', () => {
    const e = parseLine('date=2024-06-01 time=10:20:30 devname="FGT-County-01" devid="FG100ETK19000000" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=10.8.0.15 srcport=51515 srcintf="port1" dstip=198.51.100.80 dstport=445 proto=6 action="deny" policyid=0 msg="Denied by forward policy check"', ctx());
    expect(e['@timestamp']).toBe('2024-06-01T02:20:30.000Z');
    expect(e.event).toMatchObject({ action: 'network_flow_denied', module: 'firewall', dataset: 'firewall.log', reason: 'deny' });
    expect(e.source).toEqual({ ip: '10.8.0.15', port: 51515 });
    expect(e.destination).toEqual({ ip: '198.51.100.80', port: 445 });
    expect(e.network).toEqual({ transport: 'tcp' });
    expect(e.observer).toEqual({ type: 'firewall', name: 'FGT-County-01', vendor: 'Fortinet', product: 'FortiGate' });
    expect(e.message).toBe('Denied by forward policy check');
    expect(e.vendor).toMatchObject({ policyid: '0', srcintf: 'port1' });
  });

  it('reads Chinese dispositions, single quotes and a zone offset', () => {
    const e = parseLine("time='2024-06-01 10:20:30' src_ip=10.0.0.5 dst_ip=10.0.9.9 dst_port=22 action=阻断 user=李四", ctx('kv'));
    expect([e.event.action, e['@timestamp'], e.user?.name]).toEqual(['network_flow_denied', '2024-06-01T02:20:30.000Z', '李四']);
  });

  it('reads generic key=value that is not a flow', () => {
    const e = parseLine('app=oa-portal event=login user=wang result=ok', ctx());
    expect(e.event).toMatchObject({ action: 'unknown', module: 'generic', dataset: 'generic.kv' });
    expect(e.user?.name).toBe('wang');
    expect(e.vendor).toEqual({ app: 'oa-portal', event: 'login', user: 'wang', result: 'ok' });
  });

  it('does not take prose with a stray "a=b" for key=value', () => {
    const e = parseLine('backup finished with code=0 after 3 retries', ctx());
    expect(e.event.dataset).toBe('generic.raw');
    expect(e.message).toBe('backup finished with code=0 after 3 retries');
  });
});
