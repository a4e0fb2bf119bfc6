export { type EventStore, type PreparedWrite, type StoredEvent } from './event-store.js';
export { EVENT_STORE } from './tokens.js';
export { type FilterField } from './event-store.js';
