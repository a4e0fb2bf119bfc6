import { classify } from '../actions.js';
import { setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { endpoints, flow, login, markGear, rule, transport, user, type Gear } from './common.js';

/**
 * Hillstone StoneOS syslog: "<Type>@<MODULE>: …" (Traffic@FLOW session logs, Event@MGMT
 * administrator logins, Config@… changes). Shapes follow Hillstone's StoneOS log reference;
 * the MGMT login wording is unverified.
 */

const GEAR: Gear = { module: 'hillstone', dataset: 'hillstone.stoneos', vendor: 'Hillstone', product: 'StoneOS', type: 'firewall' };
export const HILLSTONE_TAG_RE = /^(Traffic|Event|Config|Security|Network|Threat)@([A-Z]+)$/;
const SESSION_RE = /^SESSION: ([0-9a-fA-F.:]+?):(\d+)->([0-9a-fA-F.:]+?):(\d+)\((\w+)\)/;

export function parseHillstone(kind: string, module: string, body: string, event: NormalizedEvent): void {
  markGear(event, GEAR, `${kind}@${module}`);
  const s = SESSION_RE.exec(body);
  if (s) {
    flow(event, !/\bdeny|denied|drop/i.test(body));
    endpoints(event, s[1], s[2], s[3], s[4]);
    transport(event, s[5]);
    const policy = /, policy (\S+?),/.exec(body)?.[1];
    if (policy) rule(event, undefined, policy);
    const app = /application (\S+?),/.exec(body)?.[1];
    if (app) (event.network ??= {}).protocol = app.toLowerCase();
    const iface = /interface (\S+?),/.exec(body)?.[1];
    if (iface) event.observer!.ingress = { interface: { name: iface } };
    const who = /user ([^@,\s]+)@/.exec(body)?.[1];
    if (who && who !== '-') user(event, who);
    return;
  }
  const admin = /[Aa]dmin(?:istrator)? (?:user )?"?([^"\s]+)"? (.*)$/.exec(body);
  if (kind === 'Event' && admin && /log(?:ged)? ?in|login/i.test(admin[2])) {
    const channel = /(?:through|via) (\w+)/.exec(admin[2])?.[1];
    if (/logged out|logout/i.test(admin[2])) classify(event, 'user_logoff');
    else login(event, !/fail/i.test(admin[2]), channel);
    user(event, admin[1]);
    const ip = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/.exec(admin[2])?.[1];
    if (ip) endpoints(event, ip);
    return;
  }
  if (kind === 'Config') {
    classify(event, 'device_config_change', 'success');
    setVendor(event, 'config', body);
  }
}
