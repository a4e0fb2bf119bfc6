import { classify } from '../actions.js';
import { setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { endpoints, flow, interfaceState, login, markGear, paramList, rule, transport, user, type Gear } from './common.js';

/**
 * Huawei VRP (switches, routers) and USG (firewalls): `%%01MODULE/severity/MNEMONIC(flag)[seq]:`
 * followed by prose and "(Key=Value, …)" parameters, as in Huawei's log reference ("SHELL/5/
 * CMDRECORD: Recorded command information. (Task=…, Ip=…, VpnName=…, User=…, …)").
 */

const GEAR: Gear = { module: 'huawei', dataset: 'huawei.vrp', vendor: 'Huawei', product: 'VRP' };
const USG: Gear = { module: 'huawei', dataset: 'huawei.usg', vendor: 'Huawei', product: 'USG', type: 'firewall' };

export function parseHuawei(module: string, mnemonic: string, body: string, event: NormalizedEvent): void {
  const policy = module === 'POLICY' || module === 'SEC' || module === 'SECLOG';
  markGear(event, policy ? USG : GEAR, `${module}/${mnemonic}`);
  const open = body.indexOf('(');
  const params = paramList(policy ? body : open >= 0 ? body.slice(open) : '');
  for (const [k, v] of Object.entries(params)) setVendor(event, k, v);

  if (module === 'SHELL' && mnemonic.startsWith('CMDRECORD')) {
    const failed = mnemonic === 'CMDRECORDFAILED' || (params.Result !== undefined && !/^succ/i.test(params.Result));
    classify(event, 'device_command', failed ? 'failure' : 'success');
    user(event, params.User);
    address(event, params.Ip);
    if (params.Command !== undefined) event.process = { ...event.process, command_line: params.Command };
    return;
  }
  if (/LOGOUT/.test(mnemonic)) {
    classify(event, 'user_logoff');
    user(event, params.UserName ?? params.User);
    address(event, params.UserAddress ?? params.Ip ?? params.IpAddress);
    return;
  }
  if (/LOCK/.test(mnemonic) && !/UNLOCK/.test(mnemonic)) {
    classify(event, 'user_locked_out');
    user(event, params.User ?? params.UserName);
    return;
  }
  if (/LOGIN/.test(mnemonic) || (module === 'AAA' && /AUTHEN|AUTH/.test(mnemonic))) {
    const failed = /FAIL/.test(mnemonic) || /fail/i.test(body.slice(0, open < 0 ? body.length : open));
    const channel = module === 'SSH' || module === 'SSHS' ? 'ssh' : params.UserType ?? params.AccessType ?? params.ServiceType;
    login(event, !failed, channel);
    user(event, params.UserName ?? params.User);
    address(event, params.UserAddress ?? params.Ip ?? params.IpAddress ?? params.UserIp);
    if (params.LocalAddress) endpoints(event, undefined, undefined, params.LocalAddress);
    const reason = params.FailedReason ?? params.Reason;
    if (reason) event.event.reason = reason;
    return;
  }
  if (module === 'IFNET' || module === 'IFPDT') {
    const m = /interface (\S+?),? (?:has entered the|changed to|turned into) (\w+)/i.exec(body);
    interfaceState(event, params.IfName ?? params.InterfaceName ?? m?.[1], params.State ?? params.CurrentState ?? m?.[2]);
    return;
  }
  if (policy && (/PERMIT|DENY/.test(mnemonic))) {
    flow(event, mnemonic.includes('PERMIT'));
    endpoints(event, params['source-ip'], params['source-port'], params['destination-ip'], params['destination-port']);
    transport(event, params.protocol);
    rule(event, params['rule-name']);
    if (params['source-zone']) event.observer!.ingress = { interface: { name: params['source-zone'] } };
    if (params['destination-zone']) event.observer!.egress = { interface: { name: params['destination-zone'] } };
    return;
  }
}

function address(event: NormalizedEvent, ip: string | undefined): void {
  if (ip && ip !== '**') endpoints(event, ip);
}
