export { type EventStore, type StoredEvent } from './event-store.js';
export { EVENT_STORE } from './tokens.js';
