import { classify } from '../actions.js';
import { setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { endpoints, flow, interfaceState, login, markGear, nat, rule, transport, user, type Gear } from './common.js';

/**
 * Cisco ASA/FTD (`%ASA-6-302013: …`), Cisco IOS (`%SEC_LOGIN-5-LOGIN_SUCCESS: …`) and the gear
 * that copies IOS's `%FACILITY-SEVERITY-MNEMONIC:` form (Ruijie RGOS). Shapes follow Cisco's
 * "ASA Series Syslog Messages" and "IOS System Message Guide"; Ruijie's wording is unverified.
 */

const TAG_RE = /%([A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)?)-([0-7])-([A-Z0-9_]+):\s?/;
const ASA: Gear = { module: 'cisco', dataset: 'cisco.asa', vendor: 'Cisco', product: 'ASA', type: 'firewall' };
const FTD: Gear = { ...ASA, product: 'Firepower Threat Defense' };
const IOS: Gear = { module: 'cisco', dataset: 'cisco.ios', vendor: 'Cisco', product: 'IOS' };
const IOS_STYLE: Gear = { module: 'cisco', dataset: 'cisco.ios' };
const IOS_FACILITIES = new Set(['SEC_LOGIN', 'SYS', 'LINK', 'LINEPROTO', 'SEC', 'PARSER', 'SSH', 'AAA']);

/** Cheap test: a '%' followed by the tag shape. */
export function parseCiscoStyle(text: string, event: NormalizedEvent): boolean {
  const at = text.indexOf('%');
  if (at < 0) return false;
  const m = TAG_RE.exec(at === 0 ? text : text.slice(at));
  if (!m) return false;
  const [facility, severity, mnemonic] = [m[1], Number(m[2]), m[3]];
  const body = (at === 0 ? text : text.slice(at)).slice(m.index + m[0].length);
  setVendor(event, 'cisco_severity', severity);
  if (facility === 'ASA' || facility === 'FTD' || facility === 'PIX' || facility === 'FWSM') {
    markGear(event, facility === 'FTD' ? FTD : ASA, mnemonic);
    asa(mnemonic, body, event);
    return true;
  }
  markGear(event, IOS_FACILITIES.has(facility) ? IOS : IOS_STYLE, `${facility}-${severity}-${mnemonic}`);
  ios(facility, mnemonic, body, event);
  return true;
}

// "for outside:203.0.113.5/51234 (203.0.113.5/51234) to inside:10.0.0.5/443 (198.51.100.1/443)"
const CONN_RE =
  /^(Built|Teardown) (?:(inbound|outbound) )?(TCP|UDP|SCTP|GRE) connection (\d+) for ([^:\s]+):([^/\s]+)\/(\d+) (?:\(([^/\s]+)\/(\d+)\)(?:\([^)]*\))? ?)?(?:\(([^)]*)\) )?to ([^:\s]+):([^/\s]+)\/(\d+)(?: \(([^/\s]+)\/(\d+)\))?(?:\(([^)]*)\))?/;
const ICMP_RE = /^(Built|Teardown) (?:(inbound|outbound) )?(ICMP|ICMPv6) connection for faddr ([^/\s]+)\/\d+(?:\(([^)]*)\))? gaddr ([^/\s]+)\/\d+ laddr ([^/\s]+)\/\d+/;
const DENY_PATTERNS: [RegExp, 'full' | 'zone'][] = [
  // 106001 Inbound TCP connection denied from A/p to B/p flags …
  [/^Inbound (TCP) connection denied from ([^/\s]+)\/(\d+) to ([^/\s]+)\/(\d+)/, 'full'],
  // 106006/106007 Deny inbound UDP from A/p to B/p …
  [/^Deny inbound (UDP|TCP) from ([^/\s]+)\/(\d+) to ([^/\s]+)\/(\d+)/, 'full'],
  // 106015 Deny TCP (no connection) from A/p to B/p flags …
  [/^Deny (TCP) \(no connection\) from ([^/\s]+)\/(\d+) to ([^/\s]+)\/(\d+)/, 'full'],
  // 710003 TCP access denied by ACL from A/p to if:B/p
  [/^(TCP|UDP) access denied by ACL from ([^/\s]+)\/(\d+) to (?:[^:\s]+:)?([^/\s]+)\/(\d+)/, 'full'],
];
// 106023 Deny tcp src outside:A/p dst inside:B/p by access-group "acl" […]
const ACL_DENY_RE = /^Deny (\w+) src [^:\s]+:([^/\s]+)(?:\/(\d+))? dst [^:\s]+:([^/\s]+)(?:\/(\d+))?(?: \(type (\d+), code (\d+)\))? by access-group "([^"]+)"/;
// 106014 Deny inbound icmp src outside:A dst inside:B (type 8, code 0)
const ICMP_DENY_RE = /^Deny (?:inbound|outbound) (icmp|icmp6) src [^:\s]+:(\S+) dst [^:\s]+:(\S+)/;
// 106100 access-list acl permitted|denied tcp outside/A(p) -> inside/B(p) hit-cnt …
const ACL_LOG_RE = /^access-list (\S+) (permitted|denied|est-allowed) (\w+) [^/\s]+\/([^(\s]+)\((\d+)\)(?:\([^)]*\))? -> [^/\s]+\/([^(\s]+)\((\d+)\)/;
const AUTH_1090_RE = /^(Auth start|Authentication succeeded|Authentication failed|Authorization permitted|Authorization denied) for user '?([^'\s]*)'? from ([^/\s]+)\/(\d+) to ([^/\s]+)\/(\d+)/;
const AAA_RE = /^AAA (?:user authentication (Successful|Rejected)|transaction status (ACCEPT|REJECT))/;
const LOGIN_605_RE = /^Login (permitted|denied) from ([^/\s]+)\/(\d+) to (?:[^:\s]+:)?([^/\s]+)\/(\S+) for user "([^"]*)"/;
const USER_AUTH_611_RE = /^User authentication (succeeded|failed)/;
const VPN_ANGLE_RE = /^Group <([^>]*)> User <([^>]*)> IP <([^>]*)>/;
const VPN_EQ_RE = /^Group = ([^,]*), Username = ([^,]*), IP = ([^,]*),/;

const valueAfter = (body: string, label: RegExp) => label.exec(body)?.[1]?.trim();

function asa(id: string, body: string, event: NormalizedEvent): void {
  switch (id) {
    case '302013': case '302014': case '302015': case '302016': {
      const m = CONN_RE.exec(body);
      if (!m) break;
      const outbound = m[2] === 'outbound';
      // "for" names the outside end; outbound connections were opened by the "to" end
      const forEnd = { zone: m[5], ip: m[6], port: m[7], mapped: m[8], mport: m[9] };
      const toEnd = { zone: m[11], ip: m[12], port: m[13], mapped: m[14], mport: m[15] };
      const [src, dst] = outbound ? [toEnd, forEnd] : [forEnd, toEnd];
      flow(event, true);
      if (m[1] === 'Built') event.event.type = ['connection', 'allowed', 'start'];
      else event.event.type = ['connection', 'end'];
      endpoints(event, src.ip, src.port, dst.ip, dst.port);
      nat(event.source, src.mapped, src.mport);
      nat(event.destination, dst.mapped, dst.mport);
      transport(event, m[3]);
      if (m[2]) event.network!.direction = outbound ? 'outbound' : 'inbound';
      event.observer!.ingress = { interface: { name: src.zone } };
      event.observer!.egress = { interface: { name: dst.zone } };
      setVendor(event, 'connection_id', m[4]);
      const who = m[10] ?? m[16];
      if (who) user(event, who.replace(/^LOCAL\\/, ''));
      return;
    }
    case '302020': case '302021': {
      const m = ICMP_RE.exec(body);
      if (!m) break;
      const outbound = m[2] === 'outbound';
      flow(event, true);
      event.event.type = m[1] === 'Built' ? ['connection', 'allowed', 'start'] : ['connection', 'end'];
      if (outbound) endpoints(event, m[7], undefined, m[4]);
      else endpoints(event, m[4], undefined, m[7]);
      if (m[6] !== m[7]) nat(outbound ? event.source : event.destination, m[6]);
      transport(event, m[3]);
      if (m[2]) (event.network ??= {}).direction = outbound ? 'outbound' : 'inbound';
      return;
    }
    case '106001': case '106006': case '106007': case '106015': case '710003': {
      for (const [re] of DENY_PATTERNS) {
        const m = re.exec(body);
        if (!m) continue;
        flow(event, false);
        endpoints(event, m[2], m[3], m[4], m[5]);
        transport(event, m[1]);
        interfaceOf(body, event);
        return;
      }
      break;
    }
    case '106014': {
      const m = ICMP_DENY_RE.exec(body);
      if (!m) break;
      flow(event, false);
      endpoints(event, m[2], undefined, m[3]);
      transport(event, m[1] === 'icmp6' ? 'ipv6-icmp' : 'icmp');
      return;
    }
    case '106023': {
      const m = ACL_DENY_RE.exec(body);
      if (!m) break;
      flow(event, false);
      endpoints(event, m[2], m[3], m[4], m[5]);
      transport(event, m[1]);
      rule(event, m[8]);
      return;
    }
    case '106100': {
      const m = ACL_LOG_RE.exec(body);
      if (!m) break;
      flow(event, m[2] !== 'denied');
      endpoints(event, m[4], m[5], m[6], m[7]);
      transport(event, m[3]);
      rule(event, m[1]);
      return;
    }
    case '109001': case '109005': case '109006': case '109007': case '109008': {
      const m = AUTH_1090_RE.exec(body);
      if (!m) break;
      const what = m[1];
      if (what.startsWith('Authorization')) classify(event, 'credential_validation', what.endsWith('permitted') ? 'success' : 'failure');
      else login(event, what === 'Auth start' ? undefined : what.endsWith('succeeded'));
      user(event, m[2]);
      endpoints(event, m[3], m[4], m[5], m[6]);
      return;
    }
    case '113004': case '113005': case '113008': case '113012': case '113015': {
      const m = AAA_RE.exec(body);
      if (!m) break;
      // the AAA verdict behind a login that 605004/605005 (management) or the VPN messages
      // report again: a validation, so one attempt is not counted twice as a login
      classify(event, 'credential_validation', (m[1] ? m[1] === 'Successful' : m[2] === 'ACCEPT') ? 'success' : 'failure');
      user(event, valueAfter(body, /: user = ([^:]+?)(?: :|$)/));
      const from = valueAfter(body, /user IP = ([^\s:]+|[0-9a-f:.]+)\s*$/i) ?? valueAfter(body, /user IP = (\S+)/);
      if (from) endpoints(event, from);
      const reason = valueAfter(body, /reason = ([^:]+?) :/);
      if (reason) event.event.reason = reason;
      return;
    }
    case '605004': case '605005': {
      const m = LOGIN_605_RE.exec(body);
      if (!m) break;
      login(event, m[1] === 'permitted', m[5]);
      endpoints(event, m[2], m[3], m[4]);
      user(event, m[6]);
      return;
    }
    case '611101': case '611102': {
      const m = USER_AUTH_611_RE.exec(body);
      if (!m) break;
      login(event, m[1] === 'succeeded');
      const ip = valueAfter(body, /IP address: ([^,\s]+)/);
      if (ip) endpoints(event, ip);
      user(event, valueAfter(body, /Uname: (\S+)/));
      return;
    }
    case '722022': case '722023': case '722051': case '716001': case '716002': case '113019': case '751025': {
      if (vpn(id, body, event)) return;
      break;
    }
  }
  classify(event, 'unknown');
}

function interfaceOf(body: string, event: NormalizedEvent): void {
  const name = /on interface (\S+)/.exec(body)?.[1];
  if (name) event.observer!.ingress = { interface: { name } };
}

function vpn(id: string, body: string, event: NormalizedEvent): boolean {
  if (id === '751025') {
    // "Local:198.51.100.1:443 Remote:203.0.113.5:51234 Username:alice …"
    const m = /Remote:(\S+?):(\d+) Username:(\S+)/.exec(body);
    if (!m) return false;
    classify(event, 'vpn_session_ended');
    endpoints(event, m[1], m[2]);
    user(event, m[3]);
    return true;
  }
  const m = VPN_ANGLE_RE.exec(body) ?? VPN_EQ_RE.exec(body);
  if (!m) return false;
  user(event, m[2]);
  endpoints(event, m[3]);
  setVendor(event, 'group_policy', m[1]);
  if (id === '722051') {
    classify(event, 'vpn_address_assigned');
    const assigned = /IPv4 Address <([^>]+)>/.exec(body)?.[1];
    if (assigned) setVendor(event, 'assigned_ip', assigned);
  } else if (id === '722022' || id === '716001') classify(event, 'vpn_session_started', 'success');
  else classify(event, 'vpn_session_ended');
  const reason = /Reason: (.+)$/.exec(body)?.[1] ?? /terminated: (.+?)\.?$/.exec(body)?.[1];
  if (reason) event.event.reason = reason;
  return true;
}

const LOGIN_IOS_RE = /Login (Success|failed) \[user: ([^\]]*)\] \[Source: ([^\]]*)\] \[localport: (\d+)\](?: \[Reason: ([^\]]*)\])?/;
const CONFIG_I_RE = /^Configured from (\S+) by (\S+?)(?: on (\S+))?(?: \(([^)]+)\))?\s*$/;
const UPDOWN_RE = /^(?:Line protocol on )?Interface ([^,]+), changed state to (\S+)/;
const IPACCESSLOGP_RE = /^list (\S+) (permitted|denied) (\w+) ([^(\s]+)\((\d+)\)(?: \([^)]*\))? -> ([^(\s]+)\((\d+)\)/;
// Ruijie-style wording (unverified): "User admin(10.0.0.5) login successfully via ssh", "… failed …"
const RUIJIE_LOGIN_RE = /(?:user|User) (\S+?)\s*\(([^)]+)\).*?(success|fail)/i;

function ios(facility: string, mnemonic: string, body: string, event: NormalizedEvent): void {
  if (facility === 'SEC_LOGIN' && (mnemonic === 'LOGIN_SUCCESS' || mnemonic === 'LOGIN_FAILED')) {
    const m = LOGIN_IOS_RE.exec(body);
    login(event, mnemonic === 'LOGIN_SUCCESS', m?.[4] === '22' ? 'ssh' : undefined);
    if (m) {
      user(event, m[2]);
      endpoints(event, m[3]);
      (event.destination ??= {}).port = Number(m[4]);
      if (m[5]) event.event.reason = m[5];
    }
    return;
  }
  if (mnemonic === 'CONFIG_I') {
    classify(event, 'device_config_change', 'success');
    const m = CONFIG_I_RE.exec(body);
    if (m) {
      user(event, m[2]);
      if (m[4]) endpoints(event, m[4]);
      setVendor(event, 'config_source', m[1]);
      if (m[3]) setVendor(event, 'line', m[3]);
    }
    return;
  }
  if (mnemonic === 'CFGLOG_LOGGEDCMD') {
    classify(event, 'device_command', 'success');
    const m = /User:(\S+)\s+logged command:(.*)$/.exec(body);
    if (m) {
      user(event, m[1]);
      event.process = { ...event.process, command_line: m[2] };
    }
    return;
  }
  if (mnemonic === 'UPDOWN' && (facility === 'LINK' || facility === 'LINEPROTO')) {
    const m = UPDOWN_RE.exec(body);
    interfaceState(event, m?.[1], m?.[2]);
    return;
  }
  if (facility === 'SEC' && /^IPACCESSLOG/.test(mnemonic)) {
    const m = IPACCESSLOGP_RE.exec(body);
    if (m) {
      flow(event, m[2] === 'permitted');
      endpoints(event, m[4], m[5], m[6], m[7]);
      transport(event, m[3]);
      rule(event, undefined, m[1]);
      event.observer!.type = 'router';
      return;
    }
  }
  if (/LOGIN/.test(mnemonic) && !/LOGOUT/.test(mnemonic)) {
    const m = RUIJIE_LOGIN_RE.exec(body);
    const ok = /SUCCESS/.test(mnemonic) ? true : /FAIL/.test(mnemonic) ? false : m ? /success/i.test(m[3]) : undefined;
    login(event, ok, /\bssh\b/i.test(body) ? 'ssh' : /telnet/i.test(body) ? 'telnet' : undefined);
    if (m) {
      user(event, m[1]);
      endpoints(event, m[2]);
    }
    return;
  }
  classify(event, 'unknown');
}
