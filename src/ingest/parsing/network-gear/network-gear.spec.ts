import { parseLine, type ParseContext } from '../index.js';

const ctx: ParseContext = { source: 'spec', transport: 'syslog', receivedAt: new Date('2024-06-01T03:00:00Z'), timeZone: 'Asia/Shanghai' };

describe('network gear', () => {
  it('reads an ASA line that has no syslog header at all', () => {
    const e = parseLine('%ASA-4-106023: Deny udp src outside:203.0.113.5/5060 dst inside:10.0.0.5/5060 by access-group "outside_access_in" [0x0, 0x0]', ctx);
    expect([e.event.module, e.event.action, e.event.outcome, e.source?.ip, e.destination?.port, e.rule?.name]).toEqual(['cisco', 'network_flow_denied', 'failure', '203.0.113.5', 5060, 'outside_access_in']);
  });

  it('keeps an unknown ASA message id as a recognised device line with its code', () => {
    const e = parseLine('<166>Jun  1 2024 10:00:00 fw01 : %ASA-5-111008: User \'enable_15\' executed the \'write memory\' command.', ctx);
    expect([e.event.module, e.event.code, e.event.action, e.observer?.product]).toEqual(['cisco', '111008', 'unknown', 'ASA']);
  });

  it('does not take a percent sign in ordinary text for a device tag', () => {
    const e = parseLine('Jun  1 10:00:00 web01 backup[311]: upload 100%-done: ok', ctx);
    expect([e.event.module, e.event.action]).toEqual(['system', 'unknown']);
  });

  it('counts an ASA AAA verdict as a validation, not a second login', () => {
    const aaa = parseLine('<166>Jun  1 2024 10:00:11 fw01 : %ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : user = admin : user IP = 203.0.113.5', ctx);
    expect([aaa.event.action, aaa.event.outcome, aaa.user?.name, aaa.source?.ip]).toEqual(['credential_validation', 'failure', 'admin', '203.0.113.5']);
  });

  it('marks a failed Huawei command as a failure', () => {
    const e = parseLine('Jun  1 2024 10:40:00 HUAWEI-CORE %%01SHELL/5/CMDRECORDFAILED(s)[5]:Recorded command information. (Task=VT0, Ip=**, VpnName=, User=_system_, AuthenticationMethod="Null", Command="save", Result=Failed)', ctx);
    expect([e.event.action, e.event.outcome, e.source, e.process?.command_line]).toEqual(['device_command', 'failure', undefined, 'save']);
  });
});
