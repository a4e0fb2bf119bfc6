import { classify, type Action } from './actions.js';
import { setSource, setTargetUser, setUser, setVendor, toInt, isJsonObject, type Json } from './fields.js';
import type { NormalizedEvent, WinlogFields } from '../../shared/event-schema.js';
import { isoOrUndefined, parseTimeValue } from './time.js';

/**
 * Windows events exported as JSON, in the two shapes collectors produce: evtx_dump
 * (`{"Event":{"System":{…},"EventData":{…}}}`, XML attributes under "#attributes") and
 * winlogbeat (`{"@timestamp":…,"winlog":{"event_id":…,"event_data":{…}}}`). Both are brought to
 * the winlogbeat layout under `winlog`, EventData kept as-is, then mapped by event id. `winlog`
 * keeps the System section's values too (winlogbeat's names; the time and level become
 * `@timestamp` and `event.severity`; a winlogbeat record's own `winlog` stays whole), because
 * Windows keyword searches read `winlog` and the message, not the record's JSON text
 * (rules/logsources.yml says why).
 */

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : isJsonObject(v) ? text(v['#text']) : undefined;
/** A number as it is (winlogbeat keeps version, pid and thread id as numbers), anything else as text. */
const scalar = (v: unknown): string | number | undefined => (typeof v === 'number' ? v : text(v));
const attribute = (v: unknown, name: string): unknown => (isJsonObject(v) && isJsonObject(v['#attributes']) ? v['#attributes'][name] : undefined);

/**
 * UserData wraps its fields in one element named by the provider (WMI's Operation_ClientFailure):
 * its fields are the event's data, as Sigma rules name them. winlogbeat has unwrapped it already.
 */
function userData(v: unknown): Json | undefined {
  if (!isJsonObject(v)) return undefined;
  const inner = Object.entries(v).filter(([k]) => k !== '#attributes');
  return inner.length === 1 && isJsonObject(inner[0][1]) ? inner[0][1] : v;
}

export function isWindowsRecord(record: Json): boolean {
  return (isJsonObject(record.Event) && isJsonObject(record.Event.System)) || isJsonObject(record.winlog);
}

export function parseWindows(record: Json, event: NormalizedEvent, zone: string): boolean {
  let winlog: WinlogFields;
  let timestamp: unknown;
  if (isJsonObject(record.Event) && isJsonObject(record.Event.System)) {
    const system = record.Event.System;
    const pid = scalar(attribute(system.Execution, 'ProcessID'));
    const thread = scalar(attribute(system.Execution, 'ThreadID'));
    const user = text(attribute(system.Security, 'UserID'));
    winlog = {
      event_id: text(system.EventID),
      channel: text(system.Channel),
      computer_name: text(system.Computer),
      provider_name: text(attribute(system.Provider, 'Name')),
      provider_guid: text(attribute(system.Provider, 'Guid')),
      event_source_name: text(attribute(system.Provider, 'EventSourceName')),
      record_id: text(system.EventRecordID),
      version: scalar(system.Version),
      task: scalar(system.Task),
      opcode: scalar(system.Opcode),
      keywords: text(system.Keywords),
      activity_id: text(attribute(system.Correlation, 'ActivityID')),
      related_activity_id: text(attribute(system.Correlation, 'RelatedActivityID')),
      process: pid !== undefined || thread !== undefined ? { pid, thread: thread === undefined ? undefined : { id: thread } } : undefined,
      user: user ? { identifier: user } : undefined,
      event_data: isJsonObject(record.Event.EventData) ? record.Event.EventData : userData(record.Event.UserData),
    };
    timestamp = attribute(system.TimeCreated, 'SystemTime');
    const level = toInt(system.Level);
    if (level !== undefined) event.event.severity = level;
    // exports rendered with their message text (wevtutil /rd:true, Get-WinEvent's ToXml) carry it here
    const rendered = isJsonObject(record.Event.RenderingInfo) ? text(record.Event.RenderingInfo.Message) : undefined;
    if (rendered) event.message = rendered;
  } else if (isJsonObject(record.winlog)) {
    const w = record.winlog;
    winlog = {
      ...w,
      event_id: text(w.event_id),
      channel: text(w.channel),
      computer_name: text(w.computer_name),
      provider_name: text(w.provider_name),
      record_id: text(w.record_id),
      event_data: isJsonObject(w.event_data) ? w.event_data : userData(w.user_data),
    };
    timestamp = record['@timestamp'];
    if (typeof record.message === 'string') event.message = record.message;
  } else return false;
  if (!winlog.event_id) return false;
  // (fields a record lacks stay as undefined keys, dropped by JSON: deleting them would leave the
  // object in V8's slow dictionary mode, and rules read winlog on every Windows event)

  event.winlog = winlog;
  const at = isoOrUndefined(parseTimeValue(timestamp, zone));
  if (at) event['@timestamp'] = at;
  event.event.module = 'windows';
  event.event.dataset = winlog.channel === 'Security' ? 'windows.security' : winlog.channel === 'System' ? 'windows.system' : 'windows.event';
  event.event.code = winlog.event_id;
  if (winlog.provider_name) event.event.provider = winlog.provider_name;
  if (winlog.computer_name) event.host = { name: winlog.computer_name };
  mapEventData(winlog, event);
  return true;
}

interface Mapping {
  action: Action;
  /** Fixed outcome, or derived from the Status field (0x0 = success) when 'status'. */
  outcome?: 'success' | 'failure' | 'status';
  /** Which account is the actor: the Subject (who did it) or the Target (who logged on). */
  actor: 'subject' | 'target';
}

/** The Security and System events that matter for intrusion work, by EventID. */
const BY_EVENT_ID: Record<string, Mapping> = {
  '4624': { action: 'user_login', outcome: 'success', actor: 'target' },
  '4625': { action: 'user_login', outcome: 'failure', actor: 'target' },
  '4634': { action: 'user_logoff', outcome: 'success', actor: 'target' },
  '4647': { action: 'user_logoff', outcome: 'success', actor: 'target' },
  '4648': { action: 'explicit_credential_login', outcome: 'success', actor: 'subject' },
  '4672': { action: 'special_privileges_assigned', outcome: 'success', actor: 'subject' },
  '4688': { action: 'process_started', outcome: 'success', actor: 'subject' },
  '4720': { action: 'user_created', outcome: 'success', actor: 'subject' },
  '4722': { action: 'user_enabled', outcome: 'success', actor: 'subject' },
  '4723': { action: 'user_password_changed', outcome: 'success', actor: 'subject' },
  '4724': { action: 'user_password_changed', outcome: 'success', actor: 'subject' },
  '4725': { action: 'user_disabled', outcome: 'success', actor: 'subject' },
  '4726': { action: 'user_deleted', outcome: 'success', actor: 'subject' },
  '4728': { action: 'group_member_added', outcome: 'success', actor: 'subject' },
  '4732': { action: 'group_member_added', outcome: 'success', actor: 'subject' },
  '4756': { action: 'group_member_added', outcome: 'success', actor: 'subject' },
  '4729': { action: 'group_member_removed', outcome: 'success', actor: 'subject' },
  '4733': { action: 'group_member_removed', outcome: 'success', actor: 'subject' },
  '4757': { action: 'group_member_removed', outcome: 'success', actor: 'subject' },
  '4740': { action: 'user_locked_out', outcome: 'failure', actor: 'subject' },
  '4768': { action: 'kerberos_ticket_request', outcome: 'status', actor: 'target' },
  '4769': { action: 'kerberos_ticket_request', outcome: 'status', actor: 'target' },
  '4771': { action: 'kerberos_ticket_request', outcome: 'failure', actor: 'target' },
  '4776': { action: 'credential_validation', outcome: 'status', actor: 'target' },
  '4697': { action: 'service_installed', outcome: 'success', actor: 'subject' },
  '7045': { action: 'service_installed', outcome: 'success', actor: 'subject' },
  '4698': { action: 'scheduled_task_created', outcome: 'success', actor: 'subject' },
  '1102': { action: 'audit_log_cleared', outcome: 'success', actor: 'subject' },
  '104': { action: 'audit_log_cleared', outcome: 'success', actor: 'subject' },
};

const LOGON_EVENTS = new Set(['4624', '4625', '4634', '4647']);

function mapEventData(winlog: WinlogFields, event: NormalizedEvent): void {
  const mapping = BY_EVENT_ID[winlog.event_id!];
  const data = winlog.event_data ?? {};
  const field = (name: string) => text(data[name]);
  if (!mapping) {
    classify(event, 'windows_event');
    setUser(event, field('SubjectUserName') ?? field('TargetUserName'));
    return;
  }
  const outcome = mapping.outcome === 'status' ? (/^0x0+$/i.test(field('Status') ?? '0x0') ? 'success' : 'failure') : mapping.outcome;
  classify(event, mapping.action, outcome);

  const subject = field('SubjectUserName');
  const target = field('TargetUserName');
  if (mapping.actor === 'target') {
    setUser(event, target);
    if (field('TargetDomainName')) event.user!.domain = field('TargetDomainName');
  } else {
    setUser(event, subject);
    if (field('SubjectDomainName') && event.user) event.user.domain = field('SubjectDomainName');
    if (target && target !== subject) setTargetUser(event, target);
    // 4728/4732/4756 name the added member by SID and the group as TargetUserName
    if (event.event.action.startsWith('group_member')) {
      delete event.user?.target;
      (event.group ??= {}).name = target;
      setTargetUser(event, field('MemberName'));
    }
  }

  const ip = field('IpAddress');
  if (ip && ip !== '-') setSource(event, ip.replace(/^::ffff:/, ''), field('IpPort'));
  const workstation = field('WorkstationName') ?? field('Workstation');
  if (workstation && workstation !== '-') setVendor(event, 'workstation', workstation);
  if (LOGON_EVENTS.has(winlog.event_id!) && field('LogonType')) winlog.logon = { type: field('LogonType') };
  if (winlog.event_id === '4625') {
    const reason = field('FailureReason') ?? field('SubStatus') ?? field('Status');
    if (reason) event.event.reason = reason;
  }
  const executable = field('NewProcessName') ?? field('ProcessName') ?? field('ImagePath');
  if (executable && executable !== '-') {
    event.process = { executable, name: executable.slice(executable.lastIndexOf('\\') + 1) };
    const commandLine = field('CommandLine');
    if (commandLine) event.process.command_line = commandLine;
  }
}
