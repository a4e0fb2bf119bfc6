/** Format hints `taishi ingest --format` accepts (the parsers' hints; `auto` detects per line). */
export const INGEST_FORMATS = ['auto', 'syslog', 'nginx', 'apache', 'iptables', 'json', 'kv', 'windows', 'telemetry'] as const;
