import { classify } from '../actions.js';
import { setUrl } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { endpoints, flow, login, nat, rule, transport, user } from './common.js';

/**
 * FortiGate (FortiOS) key=value logs, after the generic key=value reader has filled addresses,
 * time and observer: outcome, policy, NAT, service, web-filter URL, VPN tunnels (remip/locip)
 * and administrator logins, per Fortinet's "FortiOS Log Message Reference".
 */

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const DENIED = new Set(['deny', 'blocked', 'block', 'dropped', 'reset']);

export function isFortiGate(pairs: Record<string, unknown>): boolean {
  return pairs.logid !== undefined && pairs.type !== undefined && (pairs.devname !== undefined || pairs.devid !== undefined);
}

export function refineFortiGate(pairs: Record<string, unknown>, event: NormalizedEvent): void {
  event.observer = { type: 'firewall', ...event.observer, vendor: 'Fortinet', product: 'FortiGate' };
  const devname = str(pairs.devname);
  if (devname) event.observer.name = devname;
  const logid = str(pairs.logid);
  if (logid) event.event.code = logid;
  const action = str(pairs.action)?.toLowerCase();
  const type = str(pairs.type);
  const subtype = str(pairs.subtype);
  rule(event, str(pairs.policyname), str(pairs.policyid));
  const service = str(pairs.service);
  if (service) (event.network ??= {}).protocol = service.toLowerCase();

  if (type === 'traffic' || (type === 'utm' && event.source?.ip && event.destination?.ip)) {
    if (action) flow(event, !DENIED.has(action));
    nat(event.source, str(pairs.transip), pairs.transport);
    nat(event.destination, str(pairs.tranip), pairs.tranport);
  }
  if (subtype === 'webfilter') {
    const path = str(pairs.url);
    const host = str(pairs.hostname);
    if (path) setUrl(event, path);
    if (host) {
      (event.url ??= {}).domain = host;
      if (event.observer.name === host) event.observer.name = devname;
    }
  }
  if (type === 'event' && subtype === 'vpn') {
    endpoints(event, str(pairs.remip), pairs.remport, str(pairs.locip), pairs.locport);
    user(event, str(pairs.user) ?? str(pairs.xauthuser));
    if (action === 'tunnel-up') classify(event, 'vpn_session_started', 'success');
    else if (action === 'tunnel-down') classify(event, 'vpn_session_ended');
    else if (action === 'ssl-login-fail' || (action === 'negotiate-error' && str(pairs.status) === 'failure')) login(event, false, 'ssl-vpn');
    else if (action === 'ssl-new-con' || action === 'tunnel-stats') classify(event, 'vpn_session_started');
    return;
  }
  const logdesc = str(pairs.logdesc) ?? '';
  if (type === 'event' && /admin log(?:in|out)/i.test(logdesc)) {
    // ui="ssh(203.0.113.5)", "GUI(10.10.1.5)", "https(…)", "console"
    const ui = /^([^(]+)(?:\(([^)]*)\))?/.exec(str(pairs.ui) ?? '');
    if (/logout/i.test(logdesc)) classify(event, 'user_logoff');
    else login(event, /success/i.test(logdesc) || str(pairs.status) === 'success', ui?.[1] === 'GUI' ? 'https' : ui?.[1]);
    user(event, str(pairs.user));
    if (ui?.[2]) endpoints(event, ui[2]);
    else if (str(pairs.srcip)) endpoints(event, str(pairs.srcip));
    if (str(pairs.reason)) event.event.reason = str(pairs.reason);
    return;
  }
  if (type === 'event' && (str(pairs.cfgpath) || /configured|config/i.test(logdesc))) {
    classify(event, 'device_config_change', 'success');
    user(event, str(pairs.user));
    const ui = /\(([^)]*)\)/.exec(str(pairs.ui) ?? '');
    if (ui) endpoints(event, ui[1]);
  }
  transport(event, pairs.proto);
}
