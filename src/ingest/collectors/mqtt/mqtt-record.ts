import { parseBoundedJson } from '../../../shared/index.js';
import type { RawRecord } from '../../pipeline.js';

/** The last topic level names the device when the payload does not (`city/telemetry/cam-01`). */
function withDeviceFromTopic(value: unknown, topic: string): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const named = ['device_id', 'deviceId', 'device', 'devid', 'sn'].some((key) => record[key] !== undefined);
  const device = topic.split('/').filter(Boolean).at(-1);
  return named || !device ? value : { ...record, device_id: device };
}

/** One MQTT message as one record: a JSON object (telemetry) or else a text line. */
export function mqttRecord(payload: Buffer, topic: string): RawRecord {
  const first = payload.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b /* { */) {
    try {
      const text = payload.toString('utf8');
      return { json: withDeviceFromTopic(parseBoundedJson(text), topic), original: text };
    } catch {
      // not JSON after all: parsed as a text line below
    }
  }
  return { bytes: payload };
}
