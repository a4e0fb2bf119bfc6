/** The event shape and the PostgreSQL COPY rows of a batch, without a store client: for the ingest worker threads. */
export { type PreparedWrite, type StoredEvent } from './event-store.js';
export { prepareCopy } from './postgres-copy.js';
