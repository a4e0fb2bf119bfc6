import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { parseCiscoStyle } from './cisco.js';
import { isFortiGate, refineFortiGate } from './fortigate.js';
import { parseH3c } from './h3c.js';
import { HILLSTONE_TAG_RE, parseHillstone } from './hillstone.js';
import { parseHuawei } from './huawei.js';
import { looksLikeSangfor, parseSangfor } from './sangfor.js';
import { isSonicWall, refineSonicWall } from './sonicwall.js';

/**
 * Firewalls and network gear. Two entry points: text whose syslog program is unknown (the
 * `%…` tags of Cisco/Huawei/H3C/Ruijie, Hillstone's `Traffic@FLOW`, Sangfor's fwlog), and
 * key=value pairs the generic reader already read (FortiGate, SonicWall).
 */

// Huawei "%%01SHELL/5/CMDRECORD(s)[0]:", H3C "%%10SSHS/6/SSHS_LOGIN:"
const VRP_RE = /%%(\d\d)([A-Z0-9_]+)\/(\d)\/([A-Za-z0-9_]+)(?:\([a-zA-Z]+\))?(?:\[\d+\])?:\s?/;

/** `text` is the whole line (a tag may sit where syslog expects the program), `message` its body. */
export function parseGearText(text: string, message: string, appName: string | undefined, event: NormalizedEvent): boolean {
  const at = text.indexOf('%');
  if (at >= 0) {
    if (text.charCodeAt(at + 1) === 37 /* % */) {
      const rest = text.slice(at);
      const m = VRP_RE.exec(rest);
      if (m) {
        const body = rest.slice(m.index + m[0].length);
        if (m[1] === '10') parseH3c(m[2], m[4], body, event);
        else parseHuawei(m[2], m[4], body, event);
        event.vendor = { ...event.vendor, vendor_code: m[1], severity_level: Number(m[3]) };
        return true;
      }
    } else if (parseCiscoStyle(text, event)) return true;
  }
  if (appName && appName.includes('@')) {
    const tag = HILLSTONE_TAG_RE.exec(appName);
    if (tag) {
      parseHillstone(tag[1], tag[2], message, event);
      return true;
    }
  }
  if (appName === 'fwlog' || looksLikeSangfor(message)) return parseSangfor(message, event);
  return false;
}

/** Refines an event the key=value reader produced, when the pairs are a known appliance's. */
export function refineGearPairs(event: NormalizedEvent): void {
  const pairs = event.vendor;
  if (!pairs) return;
  if (isFortiGate(pairs)) refineFortiGate(pairs, event);
  else if (isSonicWall(pairs)) refineSonicWall(pairs, event);
}
