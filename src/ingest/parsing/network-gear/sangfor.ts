import { classify } from '../actions.js';
import { setVendor } from '../fields.js';
import type { NormalizedEvent } from '../../../shared/event-schema.js';
import { endpoints, flow, login, markGear, transport, user, type Gear } from './common.js';

/**
 * Sangfor NGAF / AF syslog (program "fwlog"): "日志类型:服务控制或应用控制, 用户:…, 源IP:…, 源端口:…,
 * 目的IP:…, 目的端口:…, 应用类型:…, 应用名称:…, 系统动作:拒绝". Field names follow public samples;
 * the exact separators and the login wording are unverified. Its key=value style is read by the
 * generic key=value reader (src_ip=, dst_ip=, action=).
 */

const GEAR: Gear = { module: 'sangfor', dataset: 'sangfor.ngaf', vendor: 'Sangfor', product: 'NGAF', type: 'firewall' };
const DENY_RE = /拒绝|阻断|丢弃|deny|block|drop/i;

export function looksLikeSangfor(message: string): boolean {
  return message.startsWith('日志类型');
}

export function parseSangfor(message: string, event: NormalizedEvent): boolean {
  const fields: Record<string, string> = Object.create(null);
  for (const part of message.split(/[,，\n]\s*/)) {
    const colon = part.search(/[:：]/);
    if (colon > 0) fields[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  if (!fields['日志类型']) return false;
  markGear(event, GEAR);
  for (const [k, v] of Object.entries(fields)) setVendor(event, k, v);
  const type = fields['日志类型'];
  event.event.reason = type;
  const action = fields['系统动作'] ?? fields['动作'] ?? fields['处理动作'] ?? '';
  const who = fields['用户'] ?? fields['用户名'];
  if (who && who !== '(null)') user(event, who);
  const src = fields['源IP'] ?? fields['源地址'];
  const dst = fields['目的IP'] ?? fields['目的地址'];
  if (/登录|登陆/.test(type) || fields['登录结果']) {
    login(event, !/失败|fail/i.test(`${fields['登录结果'] ?? ''}${action}${type}`));
    endpoints(event, src ?? fields['登录IP'] ?? fields['IP']);
    return true;
  }
  if (src && dst) {
    flow(event, !DENY_RE.test(action));
    endpoints(event, src, fields['源端口'], dst, fields['目的端口']);
    transport(event, fields['协议']);
    return true;
  }
  classify(event, 'unknown');
  return true;
}
