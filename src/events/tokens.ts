/** Injection token of the configured EventStore (PostgreSQL or Elasticsearch). */
export const EVENT_STORE = Symbol('EventStore');
