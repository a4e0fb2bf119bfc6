import { classify } from '../actions.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { flow, login, markGear, rule, transport, user, type Gear } from './common.js';
import { setDestination, setSource } from '../fields.js';

/**
 * SonicWall SonicOS syslog ("id=firewall sn=… time=\"…\" fw=… pri=… c=… m=… msg=\"…\" src=ip:port:zone
 * dst=ip:port:zone proto=tcp/https"), per SonicWall's "SonicOS Log Events Reference Guide".
 */

const GEAR: Gear = { module: 'sonicwall', dataset: 'sonicwall.firewall', vendor: 'SonicWall', product: 'SonicOS', type: 'firewall' };
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
// administrator and user logins by message id: 29/30/31 admin allowed/denied, 236-238 user logins
const LOGIN_OK = new Set(['29', '236', '1080']);
const LOGIN_FAIL = new Set(['30', '31', '237', '238', '1081']);

export function isSonicWall(pairs: Record<string, unknown>): boolean {
  return pairs.id === 'firewall' && pairs.sn !== undefined && pairs.m !== undefined;
}

/** "203.0.113.5:51234:X1" or "203.0.113.5:51234:X1:host.example"; ports and zones may be absent. */
function endpoint(value: string | undefined): { ip?: string; port?: string; zone?: string } {
  if (!value) return {};
  const [ip, port, zone] = value.split(':');
  return { ip, port, zone };
}

export function refineSonicWall(pairs: Record<string, unknown>, event: NormalizedEvent): void {
  const m = String(pairs.m);
  markGear(event, GEAR, m);
  delete event.source;
  delete event.destination;
  // time="2024-06-01 10:30:00 UTC": the generic reader takes it for local time without the zone
  const time = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/.exec(str(pairs.time) ?? '');
  if (time) event['@timestamp'] = new Date(`${time[1]}T${time[2]}Z`).toISOString();
  const src = endpoint(str(pairs.src));
  const dst = endpoint(str(pairs.dst));
  if (src.ip) setSource(event, src.ip, src.port);
  if (dst.ip) setDestination(event, dst.ip, dst.port);
  if (src.zone) event.observer!.ingress = { interface: { name: src.zone } };
  if (dst.zone) event.observer!.egress = { interface: { name: dst.zone } };
  const proto = str(pairs.proto)?.split('/');
  if (proto?.[0]) transport(event, proto[0]);
  if (proto?.[1]) (event.network ??= {}).protocol = proto[1];
  const msg = str(pairs.msg) ?? '';
  const who = str(pairs.usr) ?? str(pairs.user);
  if (LOGIN_OK.has(m) || LOGIN_FAIL.has(m) || /\blogin (allowed|denied|fail)|logged in/i.test(msg)) {
    login(event, LOGIN_OK.has(m) || (/allowed|logged in|success/i.test(msg) && !/denied|fail/i.test(msg)), proto?.[1]);
    user(event, who);
    if (/denied|fail/i.test(msg)) event.event.reason = msg;
    return;
  }
  user(event, who);
  const fwAction = str(pairs.fw_action)?.replace(/"/g, '').toLowerCase();
  if (src.ip && dst.ip) {
    const denied = fwAction === 'drop' || fwAction === 'deny' || /drop|denied|block/i.test(msg);
    flow(event, !denied);
    rule(event, str(pairs.rule));
    return;
  }
  classify(event, /configuration|config/i.test(msg) ? 'device_config_change' : 'unknown');
}
