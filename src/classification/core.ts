/** Personal-data masking without the classification service: for the ingest worker threads. */
export { privacyHook, type PiiSighting, type PrivacyHook } from './privacy.js';
