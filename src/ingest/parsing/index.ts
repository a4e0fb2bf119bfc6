/** Log decoding, parsing and normalization: pure functions, no framework. See PARSERS.md. */
export { decodeLine, type DecodedLine } from './decode.js';
export { parseBytes, parseJsonRecord, parseLine, DEFAULT_MAX_LINE_LENGTH } from './parse.js';
export { eventId, idHash } from './event-id.js';
export { ACTIONS, type Action } from './actions.js';
export { DEFAULT_TIME_ZONE, zoneOffsetMinutes } from './time.js';
export type {
  Endpoint, EventFields, FormatHint, LogFields, NetworkDirection, NormalizedEvent, ParseContext, ProcessFields,
  Transport, UserFields, WinlogFields,
} from '../../shared/event-schema.js';
