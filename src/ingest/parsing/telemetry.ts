import { classify } from './actions.js';
import { lowerKeyMap, pick } from './firewall.js';
import type { NormalizedEvent } from '../../shared/event-schema.js';
import { isoOrUndefined, parseTimeValue } from './time.js';
import { isJsonObject, type Json } from './fields.js';

/**
 * IoT telemetry: a JSON record that names a device and carries readings. Devices in city systems
 * (cameras, environment sensors, smart meters, street lights) agree on nothing, so detection is
 * by shape: a device identifier plus at least one numeric reading, either at the top level
 * (`{"device_id":"cam-01","ts":…,"temperature":41.5}`) or in a readings object
 * (`{"deviceId":"m-7","data":{"voltage":221}}`, Alibaba-style `{"params":{"t":{"value":3}}}`).
 * Over MQTT the device id is often only in the topic, so there readings alone suffice.
 */

const DEVICE_KEYS = [
  'device_id', 'deviceid', 'device', 'dev_id', 'devid', 'sensor_id', 'sensorid', 'node_id', 'nodeid',
  'thing_id', 'thingid', 'imei', 'serial', 'sn',
];
const READINGS_KEYS = new Set(['metrics', 'data', 'values', 'readings', 'telemetry', 'params', 'payload', 'items']);
const TIME_KEYS = ['ts', 'timestamp', 'time', '@timestamp', 'datetime', 'collect_time', 'report_time'];
/** Numbers that identify or order a message rather than measure anything. */
const NOT_A_READING_RE = /^(?:ts|time|timestamp|@timestamp|datetime|seq|sequence|id|version|ver|imei|serial|sn)$|_id$|[a-z]Id$|_time$|[a-z]Time$/;
const MODEL_KEYS = ['model', 'device_model', 'product', 'product_key', 'productkey', 'type', 'device_type'];

/** Numeric readings of a record, or undefined when it has none. */
function readings(record: Json): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let found = false;
  const take = (key: string, value: unknown) => {
    if (NOT_A_READING_RE.test(key)) return;
    // {"value": 23.5, "time": …} is how several IoT platforms wrap a single reading
    const v = isJsonObject(value) && 'value' in value ? value.value : value;
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (typeof v === 'boolean') out[key] = v ? 1 : 0;
    else return;
    found = true;
  };
  for (const [key, value] of Object.entries(record)) {
    if (READINGS_KEYS.has(key.toLowerCase()) && isJsonObject(value)) {
      for (const [inner, innerValue] of Object.entries(value)) take(inner, innerValue);
    } else take(key, value);
  }
  return found ? out : undefined;
}

export function parseTelemetry(record: Json, event: NormalizedEvent, zone: string, requireDevice: boolean): boolean {
  const keys = lowerKeyMap(record);
  const deviceValue = pick(record, DEVICE_KEYS, keys);
  const deviceId = typeof deviceValue === 'string' || typeof deviceValue === 'number' ? String(deviceValue) : undefined;
  if (requireDevice && deviceId === undefined) return false;
  const metrics = readings(record);
  if (!metrics) return false;

  event.event.kind = 'metric';
  classify(event, 'device_telemetry');
  event.event.module = 'iot';
  event.event.dataset = 'iot.telemetry';
  event.metrics = metrics;
  if (deviceId !== undefined) event.device = { id: deviceId };
  const model = pick(record, MODEL_KEYS, keys);
  if (typeof model === 'string') (event.device ??= {}).model = { name: model };
  const at = isoOrUndefined(parseTimeValue(pick(record, TIME_KEYS, keys), zone));
  if (at) event['@timestamp'] = at;
  event.vendor = record;
  return true;
}
