import type { NormalizedEvent } from '../../shared/event-schema.js';

/**
 * The one vocabulary of `event.action`, with the ECS category and type each action implies.
 * Detection rules and dashboards key on these names, so every parser takes them from here and
 * nothing else invents one. `event.outcome` is set per event by the parser.
 */
export const ACTIONS = {
  // remote login and its preliminaries
  ssh_login: { category: ['authentication'], type: ['start'] },
  ssh_invalid_user: { category: ['authentication'], type: ['info'] },
  ssh_auth_failures_exceeded: { category: ['authentication'], type: ['info'] },
  ssh_reverse_mapping_failed: { category: ['network', 'intrusion_detection'], type: ['info'] },
  ssh_no_identification: { category: ['network'], type: ['connection', 'info'] },
  ssh_protocol_error: { category: ['network'], type: ['connection', 'error'] },
  ssh_connection: { category: ['network'], type: ['connection', 'start'] },
  ssh_disconnect: { category: ['network'], type: ['connection', 'end'] },
  // local authentication, sessions, privilege changes
  pam_authentication: { category: ['authentication'], type: ['start'] },
  session_opened: { category: ['authentication', 'session'], type: ['start'] },
  session_closed: { category: ['authentication', 'session'], type: ['end'] },
  sudo_command: { category: ['process'], type: ['start'] },
  sudo_auth_failure: { category: ['authentication'], type: ['start'] },
  switch_user: { category: ['authentication', 'session'], type: ['start'] },
  cron_command: { category: ['process'], type: ['start'] },
  service_started: { category: ['process'], type: ['start'] },
  service_stopped: { category: ['process'], type: ['end'] },
  // accounts and groups
  user_created: { category: ['iam'], type: ['user', 'creation'] },
  user_deleted: { category: ['iam'], type: ['user', 'deletion'] },
  user_modified: { category: ['iam'], type: ['user', 'change'] },
  user_enabled: { category: ['iam'], type: ['user', 'change'] },
  user_disabled: { category: ['iam'], type: ['user', 'change'] },
  user_locked_out: { category: ['iam', 'authentication'], type: ['user', 'info'] },
  user_password_changed: { category: ['iam'], type: ['user', 'change'] },
  group_created: { category: ['iam'], type: ['group', 'creation'] },
  group_deleted: { category: ['iam'], type: ['group', 'deletion'] },
  group_member_added: { category: ['iam'], type: ['group', 'change'] },
  group_member_removed: { category: ['iam'], type: ['group', 'change'] },
  // Windows
  user_login: { category: ['authentication'], type: ['start'] },
  user_logoff: { category: ['authentication', 'session'], type: ['end'] },
  explicit_credential_login: { category: ['authentication'], type: ['start'] },
  special_privileges_assigned: { category: ['iam'], type: ['admin', 'info'] },
  kerberos_ticket_request: { category: ['authentication'], type: ['start'] },
  credential_validation: { category: ['authentication'], type: ['info'] },
  process_started: { category: ['process'], type: ['start'] },
  service_installed: { category: ['configuration', 'process'], type: ['installation'] },
  scheduled_task_created: { category: ['configuration', 'process'], type: ['creation'] },
  audit_log_cleared: { category: ['configuration'], type: ['deletion'] },
  windows_event: { category: ['host'], type: ['info'] },
  // web servers
  http_request: { category: ['web', 'network'], type: ['access'] },
  web_access_denied: { category: ['web'], type: ['access', 'denied'] },
  web_file_not_found: { category: ['web'], type: ['access', 'error'] },
  web_server_message: { category: ['web'], type: ['info'] },
  // proxies and load balancers (Squid, HAProxy), DNS servers (BIND)
  proxy_request_denied: { category: ['web', 'network'], type: ['access', 'denied'] },
  dns_query: { category: ['network'], type: ['protocol', 'info'] },
  dns_query_denied: { category: ['network'], type: ['protocol', 'denied'] },
  dns_zone_transfer_denied: { category: ['network'], type: ['protocol', 'denied'] },
  // firewalls
  network_flow: { category: ['network'], type: ['connection'] },
  network_flow_allowed: { category: ['network'], type: ['connection', 'allowed'] },
  network_flow_denied: { category: ['network'], type: ['connection', 'denied'] },
  // Linux services beyond sshd (ftpd, klogind, xinetd, systemd-logind), auditd, databases
  service_connection: { category: ['network'], type: ['connection', 'start'] },
  ssh_subsystem_request: { category: ['session'], type: ['start'] },
  credentials_acquired: { category: ['authentication'], type: ['info'] },
  credentials_refreshed: { category: ['authentication'], type: ['info'] },
  credentials_disposed: { category: ['authentication'], type: ['info'] },
  audit_event: { category: ['host'], type: ['info'] },
  database_login: { category: ['authentication', 'database'], type: ['start'] },
  database_privilege_change: { category: ['iam', 'database'], type: ['admin', 'change'] },
  database_schema_change: { category: ['configuration', 'database'], type: ['change'] },
  database_query: { category: ['database'], type: ['access'] },
  // network gear (firewalls, switches, routers, VPN gateways)
  device_command: { category: ['configuration'], type: ['access'] },
  device_config_change: { category: ['configuration'], type: ['change'] },
  interface_state_changed: { category: ['network'], type: ['info'] },
  vpn_session_started: { category: ['network', 'session'], type: ['start'] },
  vpn_session_ended: { category: ['network', 'session'], type: ['end'] },
  vpn_address_assigned: { category: ['network'], type: ['info'] },
  // devices
  device_telemetry: { category: ['host'], type: ['info'] },
  // a format was recognised but not the event within it, or the format itself was not
  unknown: { category: [], type: ['info'] },
} as const satisfies Record<string, { category: readonly string[]; type: readonly string[] }>;

export type Action = keyof typeof ACTIONS;

/** Sets action, category and type together so they can never disagree. */
export function classify(event: NormalizedEvent, action: Action, outcome?: 'success' | 'failure'): void {
  const entry = ACTIONS[action];
  event.event.action = action;
  // copies, because stored events are mutated later (enrichment) and must not share arrays
  event.event.category = [...entry.category];
  event.event.type = [...entry.type];
  if (outcome) event.event.outcome = outcome;
}
