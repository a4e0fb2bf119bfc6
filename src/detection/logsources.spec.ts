import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine, type ParseContext } from '../ingest/parsing/index.js';
import { loadLogsourceMapping, UnknownLogsourceError } from './logsources.js';
import { parseSigmaDocuments } from './sigma/index.js';

const mapping = loadLogsourceMapping(readFileSync(join(process.cwd(), 'rules/logsources.yml'), 'utf8'));
const context: ParseContext = { source: 'test', transport: 'file', receivedAt: new Date('2024-06-01T04:00:00Z'), timeZone: 'Asia/Shanghai' };
const line = (text: string) => parseLine(text, context);

const SSHD = line('Jun  1 10:00:07 zw-bastion sshd[30201]: Failed password for root from 203.0.113.77 port 40222 ssh2');
const SUDO = line('Jun  1 10:02:44 zw-bastion sudo:      ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/id');
const NGINX = line('203.0.113.50 - - [01/Jun/2024:10:11:12 +0800] "GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0"');
const IPTABLES = line('Jun  1 10:30:00 zw-gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.9 DST=10.10.1.1 LEN=44 PROTO=TCP SPT=51000 DPT=3389 SYN URGP=0');
const SECURITY_4625 = line('{"@timestamp":"2024-06-01T02:50:00Z","winlog":{"channel":"Security","event_id":4625,"event_data":{"TargetUserName":"administrator","IpAddress":"203.0.113.66","LogonType":"3"}}}');
const SYSMON_1 = line('{"@timestamp":"2024-06-01T02:50:00Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{"Image":"C:\\\\Windows\\\\cmd.exe"}}}');
const SYSMON_13 = line('{"@timestamp":"2024-06-01T02:50:00Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":13,"event_data":{"TargetObject":"HKLM\\\\x"}}}');
const TELEMETRY = line('{"device_id":"cam-dongmen-01","ts":1717210800,"temperature":68.5}');

describe('logsource mapping (rules/logsources.yml)', () => {
  it('puts each parsed event in the logsources it belongs to and no others', () => {
    const sshd = mapping.matcherFor({ product: 'linux', service: 'sshd' });
    const auth = mapping.matcherFor({ product: 'linux', service: 'auth' });
    const web = mapping.matcherFor({ category: 'webserver' });
    const firewall = mapping.matcherFor({ category: 'firewall' });
    const security = mapping.matcherFor({ product: 'windows', service: 'security' });
    const processCreation = mapping.matcherFor({ product: 'windows', category: 'process_creation' });
    const registrySet = mapping.matcherFor({ product: 'windows', category: 'registry_set' });
    const telemetry = mapping.matcherFor({ product: 'iot', category: 'telemetry' });
    const all = [SSHD, SUDO, NGINX, IPTABLES, SECURITY_4625, SYSMON_1, SYSMON_13, TELEMETRY];
    const members = (m: (e: unknown) => boolean) => all.filter((e) => m(e)).length;
    expect([sshd(SSHD), sshd(SUDO), members(sshd)]).toEqual([true, false, 1]);
    expect([auth(SSHD), auth(SUDO), members(auth)]).toEqual([true, true, 2]);
    expect([web(NGINX), members(web)]).toEqual([true, 1]);
    expect([firewall(IPTABLES), members(firewall)]).toEqual([true, 1]);
    expect([security(SECURITY_4625), members(security)]).toEqual([true, 1]);
    expect([processCreation(SYSMON_1), members(processCreation)]).toEqual([true, 1]);
    expect([registrySet(SYSMON_13), members(registrySet)]).toEqual([true, 1]);
    expect([telemetry(TELEMETRY), members(telemetry)]).toEqual([true, 1]);
  });

  it('maps Sigma field names per logsource, keeping raw vendor paths usable', () => {
    const win = mapping.fieldMapper({ product: 'windows', service: 'security' });
    // explicit candidates first, then the logsource's fallback templates
    expect(win('TargetUserName')).toEqual(['winlog.event_data.TargetUserName', 'vendor.TargetUserName']);
    expect(win('IpAddress').slice(0, 2)).toEqual(['winlog.event_data.IpAddress', 'source.ip']);
    expect(win('EventID')).toContain('winlog.event_id');
    // an unlisted EventData name falls back to the raw tree
    expect(win('ServiceFileName')).toEqual(['winlog.event_data.ServiceFileName', 'vendor.ServiceFileName']);
    expect(win('winlog.event_data.TargetUserName')).toEqual(['winlog.event_data.TargetUserName']);
    const web = mapping.fieldMapper({ category: 'webserver' });
    expect(web('cs-uri-query')).toEqual(['url.query', 'vendor.cs-uri-query']);
    expect(web('c-ip')[0]).toBe('source.ip');
    expect(web('cs-user-agent')[0]).toBe('user_agent.original');
    expect(mapping.fieldMapper({ product: 'linux', service: 'sshd' })('CommandLine')[0]).toBe('process.command_line');
    expect(mapping.fieldMapper({ product: 'linux', service: 'auditd' })('a0')).toEqual(['vendor.a0']);
  });

  it('gives a coarse dataset index key per logsource', () => {
    expect(mapping.indexKey({ product: 'linux', service: 'sshd' })).toEqual(['system.auth']);
    expect(mapping.indexKey({ category: 'webserver' })).toEqual(['apache.access', 'http.access', 'nginx.access']);
    expect(mapping.indexKey({ product: 'windows', service: 'security' })).toEqual(['windows.security']);
    // coarse: the category entry does not name a dataset, so the product's three remain
    expect(mapping.indexKey({ product: 'windows', category: 'ps_script' })).toEqual(['windows.event', 'windows.security', 'windows.system']);
    expect(mapping.indexKey({ product: 'linux' })).toBe('any');
  });

  it('rejects an unknown logsource, naming it, as a positioned rule error', () => {
    expect(() => mapping.resolve({ product: 'linux', service: 'postfix' })).toThrow(UnknownLogsourceError);
    expect(() => mapping.resolve({ product: 'linux', service: 'postfix' })).toThrow("unknown logsource service 'postfix'");
    const { rules } = parseSigmaDocuments('title: t\nlogsource: { product: plc }\ndetection:\n  s: { a: 1 }\n  condition: s\n', 'rules/x.yml');
    expect(String(mapping.validateRule(rules[0]))).toMatch(/^rules\/x\.yml:1:1: t: unknown logsource product 'plc'/);
  });

  it('rejects a malformed mapping file naming the bad key', () => {
    expect(() => loadLogsourceMapping('logsources:\n  - logsource: { product: x }\n    when: { a|near: 1 }\n', 'm.yml')).toThrow("m.yml: logsources[0].when.a|near: unknown operator 'near'");
    expect(() => loadLogsourceMapping('logsources:\n  - logsource: { os: x }\n', 'm.yml')).toThrow('m.yml: logsources[0].logsource.os');
  });
});
