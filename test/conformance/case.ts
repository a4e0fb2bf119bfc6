import type { FormatHint } from '../../src/ingest/parsing/index.js';

/**
 * One line in a product's real wire format and the ECS fields a reference pipeline extracts from
 * it. `expected` uses dotted ECS paths (`source.ip`, `event.category`); a value is compared as
 * JSON, so arrays compare whole (`event.category: ['authentication']`).
 */
export interface ConformanceCase {
  /** What the line is, for the report: "sshd legacy pam_unix failure with rhost as a name". */
  name: string;
  line: string;
  /** Where the sample's shape comes from: vendor documentation page, public sample, RFC. */
  reference: string;
  format?: FormatHint;
  expected: Record<string, unknown>;
}

/** A family of formats (Linux auth, auditd, Cisco ASA, …) and its cases. */
export interface ConformanceFamily {
  family: string;
  cases: ConformanceCase[];
}
