import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../../shared/event-schema.js';

/**
 * A deterministic id, so a replayed file or a retried HTTP batch lands on the same ids and the
 * store can ignore the duplicates: SHA-256 over source, timestamp and the original content,
 * first 128 bits in base64url (22 characters).
 *
 * A client-supplied `event.id` is honoured but still hashed together with the source name, so
 * one collector cannot pick ids that collide with (and so suppress) another source's events.
 *
 * Limits: two byte-identical lines from one source within the same timestamp share an id (and
 * collapse into one event); a line without its own timestamp is stamped with the receive time,
 * so replaying it later yields a new id.
 */
export function eventId(event: NormalizedEvent, sourceName: string): string {
  const hash = createHash('sha256').update(sourceName).update('\0');
  const clientId = event.event.id;
  if (typeof clientId === 'string' && clientId.length > 0) hash.update('id\0').update(clientId);
  else hash.update('line\0').update(event['@timestamp']).update('\0').update(event.event.original ?? contentOf(event));
  return hash.digest().subarray(0, 16).toString('base64url');
}

/** Events built in code have no original; their fields minus receive-time ones stand in for it. */
function contentOf(event: NormalizedEvent): string {
  const { created: _created, ...eventFields } = event.event;
  return JSON.stringify({ ...event, event: eventFields });
}
