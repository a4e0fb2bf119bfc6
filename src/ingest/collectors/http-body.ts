import { parseBoundedJson } from '../../shared/index.js';
import { ingestErrors } from '../errors.js';
import type { RawRecord } from '../pipeline.js';

export interface LineError {
  line: number;
  reason: string;
}

/** Splits an NDJSON or JSON-array body into records, reporting each bad line instead of failing the batch. */
export function jsonRecords(body: Buffer): { records: RawRecord[]; errors: LineError[] } {
  const text = body.toString('utf8');
  const start = text.search(/\S/);
  if (start >= 0 && text[start] === '[') {
    let items: unknown;
    try {
      items = parseBoundedJson(text);
    } catch (error) {
      throw ingestErrors.malformed_json_array({ reason: (error as Error).message });
    }
    return { records: (items as unknown[]).map((json) => ({ json })), errors: [] };
  }
  const records: RawRecord[] = [];
  const errors: LineError[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    try {
      records.push({ json: parseBoundedJson(line), original: line });
    } catch (error) {
      errors.push({ line: index + 1, reason: `not JSON: ${(error as Error).message}` });
    }
  });
  return { records, errors };
}

/** Plain text: one log line per line, decoded (UTF-8 or GBK) and parsed like syslog file lines. */
export function textRecords(body: Buffer): RawRecord[] {
  const records: RawRecord[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x0a) {
      const line = body.subarray(start, i > start && body[i - 1] === 0x0d ? i - 1 : i);
      if (line.length) records.push({ bytes: line });
      start = i + 1;
    }
  }
  return records;
}
