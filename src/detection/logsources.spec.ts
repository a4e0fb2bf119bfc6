import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine, type ParseContext } from '../ingest/parsing/index.js';
import { loadLogsourceMapping, UnknownLogsourceError } from './logsources.js';

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

  it('gives a coarse dataset (or module) index key per logsource', () => {
    expect(mapping.indexKey({ product: 'linux', service: 'sshd' })).toEqual(['system.auth']);
    expect(mapping.indexKey({ category: 'webserver' })).toEqual(['apache.access', 'apache.ssl_request', 'haproxy.log', 'http.access', 'nginx.access']);
    expect(mapping.indexKey({ product: 'windows', service: 'security' })).toEqual(['windows.security']);
    expect(mapping.indexKey({ product: 'windows', category: 'ps_script' })).toEqual(['windows.event']);
    // Sysmon event 1 or Security 4688
    expect(mapping.indexKey({ product: 'windows', category: 'process_creation' })).toEqual(['windows.event', 'windows.security']);
    // auditd events are known by their module, whatever dataset the parser gives them
    expect(mapping.indexKey({ product: 'linux', category: 'process_creation' })).toEqual(['module:auditd']);
    expect(mapping.indexKey({ product: 'cisco', service: 'aaa' })).toEqual(['generic.json', 'generic.raw', 'module:cisco', 'system.syslog']);
    expect(mapping.indexKey({ product: 'linux' })).toBe('any');
  });

  it('refuses to resolve an unknown logsource, naming the attribute nobody maps', () => {
    expect(() => mapping.resolve({ product: 'linux', service: 'postfix' })).toThrow(UnknownLogsourceError);
    expect(() => mapping.resolve({ product: 'linux', service: 'postfix' })).toThrow("unknown logsource service 'postfix'");
    try {
      mapping.resolve({ product: 'plc', category: 'process_creation' });
    } catch (err) {
      expect([(err as UnknownLogsourceError).key, (err as UnknownLogsourceError).missing]).toEqual(['product=plc category=process_creation', "product 'plc'"]);
    }
    expect.assertions(3);
  });

  it('rejects a malformed mapping file naming the bad key', () => {
    expect(() => loadLogsourceMapping('logsources:\n  - logsource: { product: x }\n    when: { message|re: "(" }\n', 'm.yml')).toThrow(/m\.yml: logsources\[0\]\.when\.message\|re: invalid regular expression/);
    expect(() => loadLogsourceMapping('logsources:\n  - logsource: { product: x }\n    unavailable: []\n', 'm.yml')).toThrow('m.yml: logsources[0].unavailable');
    expect(() => loadLogsourceMapping('logsources:\n  - logsource: { product: x }\n    when: { a|near: 1 }\n', 'm.yml')).toThrow("m.yml: logsources[0].when.a|near: unknown operator 'near'");
    expect(() => loadLogsourceMapping('logsources:\n  - logsource: { os: x }\n', 'm.yml')).toThrow('m.yml: logsources[0].logsource.os');
  });
});

/** Windows events as winlogbeat ships them (the parser reads evtx_dump JSON the same way). */
const winlog = (channel: string, id: number, data: Record<string, unknown>) =>
  line(JSON.stringify({ '@timestamp': '2024-06-01T02:50:00Z', winlog: { channel, event_id: id, computer_name: 'ws-0417.corp.local', event_data: data } }));

describe('logsources a city network feeds beyond syslog, web and Security', () => {
  const belongs = (logsource: Record<string, string>, event: unknown) => mapping.matcherFor(logsource)(event);

  it('maps each Windows service SigmaHQ writes rules for to its event log channel, and no other', () => {
    const samples: [string, unknown][] = [
      ['windefend', winlog('Microsoft-Windows-Windows Defender/Operational', 1116, { 'Threat Name': 'HackTool:Win32/Mimikatz', Path: 'file:_C:\\Users\\li\\m.exe' })],
      ['firewall-as', winlog('Microsoft-Windows-Windows Firewall With Advanced Security/Firewall', 2004, { RuleName: 'x', ApplicationPath: 'C:\\Users\\li\\AppData\\Local\\Temp\\a.exe', ModifyingApplication: 'C:\\Windows\\System32\\netsh.exe' })],
      ['applocker', winlog('Microsoft-Windows-AppLocker/EXE and DLL', 8004, { FullFilePath: 'C:\\Users\\li\\Downloads\\x.exe' })],
      ['taskscheduler', winlog('Microsoft-Windows-TaskScheduler/Operational', 106, { TaskName: '\\Updater', UserContext: 'CORP\\li' })],
      ['bits-client', winlog('Microsoft-Windows-Bits-Client/Operational', 59, { RemoteName: 'http://203.0.113.9/a.exe', name: 'job' })],
      ['codeintegrity-operational', winlog('Microsoft-Windows-CodeIntegrity/Operational', 3033, { FileNameBuffer: '\\Device\\HarddiskVolume3\\x.dll', ProcessNameBuffer: 'C:\\Windows\\System32\\lsass.exe' })],
      ['dns-client', winlog('Microsoft-Windows-DNS Client Events/Operational', 3008, { QueryName: 'pastebin.com' })],
      ['ntlm', winlog('Microsoft-Windows-NTLM/Operational', 8001, { TargetName: 'cifs/fs01', UserName: 'li' })],
      ['appxdeployment-server', winlog('Microsoft-Windows-AppXDeploymentServer/Operational', 400, { PackageFullName: 'x_1.0.0.0_x64__8wekyb3d8bbwe' })],
      ['security-mitigations', winlog('Microsoft-Windows-Security-Mitigations/Kernel Mode', 1, { ProcessPath: 'C:\\Windows\\System32\\lsass.exe' })],
      ['wmi', winlog('Microsoft-Windows-WMI-Activity/Operational', 5861, { Consumer: 'CommandLineEventConsumer', PossibleCause: 'Binding' })],
      ['msexchange-management', winlog('MSExchange Management', 1, { Data: ['New-MailboxExportRequest', '-FilePath \\\\srv\\c$\\x.pst'] })],
      ['dns-server', winlog('DNS Server', 541, { Setting: 'serverlevelplugindll' })],
    ];
    for (const [service] of samples) {
      const members = samples.filter(([, event]) => belongs({ product: 'windows', service }, event)).map(([name]) => name);
      expect({ service, members }).toEqual({ service, members: [service] });
    }
    expect(samples.filter(([, event]) => belongs({ product: 'windows', service: 'security' }, event) || belongs({ product: 'windows', service: 'sysmon' }, event))).toEqual([]);
  });

  it("reads Defender's spaced EventData names under Sigma's spaceless ones, and Defender detections as the antivirus category", () => {
    const defender = mapping.fieldMapper({ product: 'windows', service: 'windefend' });
    expect(defender('ThreatName')).toEqual(['winlog.event_data.ThreatName', 'winlog.event_data.Threat Name', 'vendor.ThreatName']);
    expect(defender('Feature_Name')).toContain('winlog.event_data.Feature Name');
    const detection = winlog('Microsoft-Windows-Windows Defender/Operational', 1116, { 'Threat Name': 'HackTool:Win32/Mimikatz' });
    const settings = winlog('Microsoft-Windows-Windows Defender/Operational', 5007, { 'New Value': 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\' });
    expect([belongs({ category: 'antivirus' }, detection), belongs({ category: 'antivirus' }, settings)]).toEqual([true, false]);
    expect(mapping.fieldMapper({ category: 'antivirus' })('Signature')).toContain('winlog.event_data.Threat Name');
  });

  it('maps the Sysmon event ids of the remaining Windows categories', () => {
    const sysmon = (id: number) => winlog('Microsoft-Windows-Sysmon/Operational', id, { Image: 'C:\\x.exe' });
    const ids: [string, number][] = [['file_change', 2], ['raw_access_thread', 9], ['create_stream_hash', 15], ['wmi_event', 20], ['file_delete', 23], ['file_delete', 26], ['process_tampering', 25], ['file_executable_detected', 29], ['sysmon_status', 16], ['sysmon_error', 255]];
    for (const [category, id] of ids) expect({ category, id, in: belongs({ product: 'windows', category }, sysmon(id)), notIn: belongs({ product: 'windows', category }, sysmon(1)) }).toEqual({ category, id, in: true, notIn: false });
  });

  it('takes Linux process, file and network events from auditd through ECS names', () => {
    const base = { '@timestamp': '2024-06-01T02:00:00Z', event: { kind: 'event', module: 'auditd', dataset: 'auditd.log', category: ['process'], type: ['start'], action: 'executed' }, host: { name: 'gis-app-01' } };
    const exec = { ...base, process: { executable: '/usr/bin/curl', command_line: 'curl -s http://203.0.113.9/x.sh', args: ['curl', '-s', 'http://203.0.113.9/x.sh'], parent: { executable: '/bin/bash' } }, user: { name: 'www-data' } };
    const open = { ...base, event: { ...base.event, category: ['file'], type: ['change'] }, file: { path: '/etc/sudoers' }, process: { executable: '/usr/bin/vim' } };
    const connect = { ...base, event: { ...base.event, category: ['network'], type: ['connection'] }, destination: { ip: '203.0.113.9', port: 4444 }, process: { executable: '/bin/bash' } };
    const member = (category: string) => [exec, open, connect].filter((e) => belongs({ product: 'linux', category }, e)).length;
    expect([belongs({ product: 'linux', category: 'process_creation' }, exec), member('process_creation')]).toEqual([true, 1]);
    expect([belongs({ product: 'linux', category: 'file_event' }, open), member('file_event')]).toEqual([true, 1]);
    expect([belongs({ product: 'linux', category: 'network_connection' }, connect), member('network_connection')]).toEqual([true, 1]);
    expect(belongs({ product: 'linux', category: 'process_creation' }, SUDO)).toBe(false);
    const fields = mapping.fieldMapper({ product: 'linux', category: 'process_creation' });
    expect([fields('Image'), fields('ParentImage'), fields('CommandLine')]).toEqual([['process.executable', 'vendor.Image'], ['process.parent.executable', 'vendor.ParentImage'], ['process.command_line', 'vendor.CommandLine']]);
    expect(mapping.fieldMapper({ product: 'linux', category: 'file_event' })('TargetFilename')[0]).toBe('file.path');
    expect(mapping.resolve({ product: 'linux', category: 'network_connection' }).unavailable).toEqual(new Set(['initiated']));
  });

  it('recognises Zeek JSON logs by _path or by their shape, and maps their dotted field names', () => {
    const dns = line('{"ts":1717207200.1,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"10.10.3.5","id.orig_p":53211,"id.resp_h":"10.10.0.2","id.resp_p":53,"proto":"udp","trans_id":4711,"query":"x.dnslog.cn","qtype_name":"TXT","rcode_name":"NOERROR","answers":["a"],"rejected":false}');
    const http = line('{"_path":"http","ts":1717207200.2,"uid":"C1","id.orig_h":"10.10.3.5","id.orig_p":50000,"id.resp_h":"203.0.113.9","id.resp_p":80,"trans_depth":1,"method":"GET","host":"203.0.113.9","uri":"/x.sh","user_agent":"curl/8.0","status_code":200}');
    const smb = line('{"ts":1717207200.3,"uid":"C2","id.orig_h":"10.10.3.5","id.orig_p":50001,"id.resp_h":"10.10.0.20","id.resp_p":445,"action":"SMB::FILE_OPEN","path":"\\\\\\\\fs01\\\\ADMIN$","name":"PSEXESVC.exe"}');
    const rpc = line('{"ts":1717207200.4,"uid":"C3","id.orig_h":"10.10.3.5","id.orig_p":50002,"id.resp_h":"10.10.0.10","id.resp_p":135,"endpoint":"drsuapi","operation":"DRSGetNCChanges"}');
    const x509 = line('{"ts":1717207200.5,"id":"FQ1","fingerprint":"ab12","certificate.version":3,"certificate.serial":"0A1B2C","certificate.subject":"CN=x"}');
    const all = [dns, http, smb, rpc, x509, SSHD, TELEMETRY];
    const members = (service: string) => all.filter((e) => belongs({ product: 'zeek', service }, e));
    expect(members('dns')).toEqual([dns]);
    expect(members('http')).toEqual([http]);
    expect(members('smb_files')).toEqual([smb]);
    expect(members('dce_rpc')).toEqual([rpc]);
    expect(members('x509')).toEqual([x509]);
    const fields = mapping.fieldMapper({ product: 'zeek', service: 'http' });
    expect(fields('id.orig_h')).toEqual(['source.ip', 'vendor.id.orig_h']);
    expect(fields('c-uri')).toEqual(['vendor.uri', 'vendor.c-uri']);
    expect(fields('uri')).toEqual(['vendor.uri']);
    expect(fields('event.action')).toEqual(['event.action']);
  });

  it('recognises Cisco syslog by its %FACILITY-SEVERITY-MNEMONIC, and its AAA and BGP messages', () => {
    const command = line('<189>123: Jun  1 10:00:00.123 CST: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:no logging host 10.10.0.5');
    const login = line('<189>Jun  1 2024 10:00:00 core-sw01 : %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 10.10.1.5] [localport: 22] at 10:00:00 CST Sat Jun 1 2024');
    const bgp = line('<187>Jun  1 10:00:00 core-rt01 : %TCP-6-BADAUTH: No MD5 digest from 203.0.113.1(179) to 198.51.100.1(20012) tableid - 0');
    const asa = line('<166>Jun 01 2024 10:00:00: %ASA-6-302013: Built outbound TCP connection 123 for outside:203.0.113.4/443 (203.0.113.4/443) to inside:10.0.0.5/51234 (198.51.100.8/51234)');
    const duo = line('{"access_device":{"ip":"203.0.113.7"},"auth_device":{"name":"Bypass code"},"event_type":"authentication","factor":"bypass_code","reason":"bypass_user","result":"success","timestamp":1717207200,"txid":"a1b2","user":{"name":"li"}}');
    const all = [command, login, bgp, asa, duo, SSHD, SUDO];
    expect(all.filter((e) => belongs({ product: 'cisco', service: 'syslog' }, e))).toEqual([command, login, bgp, asa]);
    expect(all.filter((e) => belongs({ product: 'cisco', service: 'aaa' }, e))).toEqual([command, login]);
    expect(all.filter((e) => belongs({ product: 'cisco', service: 'bgp' }, e))).toEqual([bgp]);
    expect(all.filter((e) => belongs({ product: 'cisco', service: 'duo' }, e))).toEqual([duo]);
  });

  it('recognises FortiGate key=value logs, Apache and nginx error logs, and the Kubernetes audit log', () => {
    const forti = line('<189>date=2024-06-01 time=10:00:00 devname="FG100E" devid="FG100E4Q17000000" logid="0100044547" type="event" subtype="system" level="information" vd="root" logdesc="Object attribute configured" user="admin" ui="GUI(10.10.1.5)" action="Add" cfgtid=123 cfgpath="firewall.policy" cfgobj="5" msg="Add firewall.policy 5"');
    const fortiTraffic = line('<189>date=2024-06-01 time=10:00:01 devname="FG100E" devid="FG100E4Q17000000" logid="0000000013" type="traffic" subtype="forward" srcip=10.10.3.5 srcport=50000 dstip=203.0.113.9 dstport=443 proto=6 action="accept"');
    expect([belongs({ product: 'fortigate', service: 'event' }, forti), belongs({ product: 'fortigate', service: 'event' }, fortiTraffic), belongs({ product: 'fortigate' }, fortiTraffic)]).toEqual([true, false, true]);
    const apache = line('[Sat Jun 01 10:00:00.123456 2024] [core:notice] [pid 1234] AH00052: child pid 5678 exit signal Segmentation fault (11)');
    const nginx = line('2024/06/01 10:00:00 [alert] 1234#0: worker process 5678 exited on signal 6 (core dumped)');
    // an access log line alone does not say which server wrote it
    expect([belongs({ service: 'apache' }, apache), belongs({ service: 'apache' }, nginx), belongs({ service: 'nginx' }, nginx), belongs({ service: 'nginx' }, NGINX)]).toEqual([true, false, true, false]);
    const audit = line('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"5d3e","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"dev-li","groups":["system:authenticated"]},"sourceIPs":["10.10.3.5"],"objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"requestObject":{"spec":{"volumes":[{"name":"root","hostPath":{"path":"/"}}]}},"responseStatus":{"code":201}}');
    const other = line('{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"x"}}');
    expect([belongs({ product: 'kubernetes', service: 'audit' }, audit), belongs({ product: 'kubernetes', category: 'application', service: 'audit' }, audit), belongs({ product: 'kubernetes', service: 'audit' }, other)]).toEqual([true, true, false]);
    const fields = mapping.fieldMapper({ product: 'kubernetes', service: 'audit' });
    expect([fields('objectRef.resource'), fields('verb'), fields('user.username')]).toEqual([['vendor.objectRef.resource'], ['vendor.verb'], ['vendor.user.username']]);
    expect(fields('hostPath')[0]).toBe('vendor.requestObject.spec.volumes.hostPath.path');
  });

  it('puts the flows of network gear in the firewall category and their logins and commands in network_device', () => {
    const asaDeny = line('<166>Jun  1 2024 10:00:04 fw01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/51234 dst inside:10.0.0.5/3389 by access-group "outside_access_in" [0x8c1e3b4a, 0x0]');
    const usgDeny = line('Jun  1 2024 10:40:06 USG6000 %%01POLICY/6/POLICYDENY(l):vsys=public, protocol=6, source-ip=203.0.113.5, source-port=51234, destination-ip=10.0.0.5, destination-port=3389, time=2024/6/1 10:40:06, source-zone=untrust, destination-zone=trust, rule-name=deny_rdp.');
    const huaweiLogin = line('Jun  1 2024 10:40:01 HUAWEI-CORE %%01SSH/5/SSH_USER_LOGIN_FAIL(s)[6]:The SSH user failed to login. (ServiceType=stelnet, FailedReason=Password authentication failed, UserName=admin, UserAddress=203.0.113.5, LocalAddress=10.0.0.1, VPNInstanceName=_public_.)');
    const fortiLogin = line('<189>date=2024-06-01 time=10:20:35 devname="FGT-County-01" devid="FG100ETK19000000" logid="0100032002" type="event" subtype="system" logdesc="Admin login failed" user="admin" ui="ssh(203.0.113.5)" srcip=203.0.113.5 dstip=198.51.100.1 action="login" status="failed"');
    const all = [asaDeny, usgDeny, huaweiLogin, fortiLogin, SSHD];
    expect(all.filter((e) => belongs({ category: 'firewall' }, e))).toEqual([asaDeny, usgDeny]);
    expect(all.filter((e) => belongs({ category: 'network_device' }, e))).toEqual([asaDeny, usgDeny, huaweiLogin, fortiLogin]);
    expect(belongs({ product: 'fortigate', service: 'event' }, fortiLogin)).toBe(true);
  });

  it('maps the Linux services that log through syslog under their own program names', () => {
    const vsftpd = line('Jun  1 10:00:00 ftp01 vsftpd[2211]: Connection refused: too many sessions for this address.');
    const clamd = line('Jun  1 10:00:00 mail01 clamd[812]: /var/www/upload/x.php: Php.Webshell.Generic-1 FOUND');
    const guacd = line('Jun  1 10:00:00 bastion guacd[3301]: User "li" joined connection "$abc" (2 users now present)');
    const all = [vsftpd, clamd, guacd, SSHD];
    expect(['vsftpd', 'clamav', 'guacamole'].map((service) => all.filter((e) => belongs({ product: 'linux', service }, e)))).toEqual([[vsftpd], [clamd], [guacd]]);
  });
});
