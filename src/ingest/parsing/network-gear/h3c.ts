import { classify } from '../actions.js';
import { setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { endpoints, interfaceState, login, markGear, user, type Gear } from './common.js';

/**
 * H3C Comware (and HPE Comware) `%%10MODULE/severity/MNEMONIC:` messages, as in H3C's "System
 * Log Messages Reference": SSHS_LOGIN, SSHS_AUTH_FAIL, SHELL_LOGIN/LOGOUT, SHELL_CMD,
 * LOGIN_FAILED, PHY_UPDOWN. A leading "-DevIP=…; " or "-MDC=1; " context is skipped.
 */

const GEAR: Gear = { module: 'h3c', dataset: 'h3c.comware', vendor: 'H3C', product: 'Comware' };
// an address, without the full stop that ends the sentence
const IP = '([0-9a-fA-F:]+(?:\\.[0-9a-fA-F:]+)*)';
const LOGGED_IN_RE = new RegExp(`^(\\S+) logged in from ${IP}(?: port (\\d+))?`);
const LOGGED_OUT_RE = new RegExp(`^(\\S+) logged out from ${IP}`);
const FAILED_RE = new RegExp(`^(?:SSH user |User )?(\\S+?) (?:\\(IP: ${IP}\\) didn't pass|failed to log in from ${IP})`);
const AUTH_FOR_RE = new RegExp(`failed for (\\S+) from ${IP}(?: port (\\d+))?`);
const CMD_CONTEXT_RE = /^-Line=([^-]*)-IPAddr=([^-]*)-User=([^;]*);\s*Command is (.*)$/;

export function parseH3c(module: string, mnemonic: string, rawBody: string, event: NormalizedEvent): void {
  markGear(event, GEAR, `${module}/${mnemonic}`);
  if (mnemonic === 'SHELL_CMD') {
    const m = CMD_CONTEXT_RE.exec(rawBody);
    classify(event, 'device_command', 'success');
    if (m) {
      setVendor(event, 'line', m[1]);
      if (m[2] && m[2] !== '**') endpoints(event, m[2]);
      user(event, m[3]);
      event.process = { ...event.process, command_line: m[4].trim() };
    }
    return;
  }
  const body = rawBody.replace(/^-[^;]*;\s*/, '');
  const ssh = module === 'SSHS' || module === 'SSH';
  if (/LOGOUT/.test(mnemonic)) {
    classify(event, 'user_logoff');
    const m = LOGGED_OUT_RE.exec(body);
    if (m) {
      user(event, m[1]);
      endpoints(event, m[2]);
    }
    return;
  }
  if (/FAIL/.test(mnemonic) || (ssh && /failed/.test(body))) {
    login(event, false, ssh ? 'ssh' : undefined);
    const m = FAILED_RE.exec(body);
    const f = AUTH_FOR_RE.exec(body);
    if (m) {
      user(event, m[1]);
      endpoints(event, m[2] ?? m[3]);
    } else if (f) {
      user(event, f[1]);
      endpoints(event, f[2], f[3]);
    }
    const reason = (/because of (.+?)\.?$/.exec(body) ?? /(?:pass .* for|reason:?) (.+?)\.?$/.exec(body))?.[1];
    if (reason) event.event.reason = reason;
    return;
  }
  if (/LOGIN/.test(mnemonic)) {
    login(event, true, ssh ? 'ssh' : undefined);
    const m = LOGGED_IN_RE.exec(body);
    if (m) {
      user(event, m[1]);
      endpoints(event, m[2], m[3]);
    }
    return;
  }
  if (mnemonic === 'PHY_UPDOWN' || mnemonic === 'LINK_UPDOWN') {
    const m = /interface (\S+?) changed to (\w+)/i.exec(body);
    interfaceState(event, m?.[1], m?.[2]);
    return;
  }
  if (mnemonic === 'CFGMAN_CFGCHANGED' || mnemonic === 'CFG_CHANGED') {
    classify(event, 'device_config_change', 'success');
  }
}
