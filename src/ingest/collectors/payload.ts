import type { RawRecord } from '../pipeline.js';
import type { JournalEntry } from '../store/journal.js';
import { jsonRecords, textRecords } from './http-body.js';
import { mqttRecord } from './mqtt/mqtt-record.js';

/** The records of a payload kept in the ingest journal, as its collector made them when it arrived (bad lines were reported then). */
export function payloadRecords({ payloadFormat, payload, topic }: Pick<JournalEntry, 'payloadFormat' | 'payload' | 'topic'>): RawRecord[] {
  if (payloadFormat === 'mqtt') return [mqttRecord(payload, topic ?? '')];
  return payloadFormat === 'text' ? textRecords(payload) : jsonRecords(payload).records;
}
