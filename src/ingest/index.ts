export { IngestPipeline } from './core.js';
export { parseBytes, zoneOffsetMinutes } from './parsing/index.js';
export { RecognitionTally } from './recognition/index.js';
export { type CollectorTotals, IngestService } from './ingest.service.js';
export { type ParseContext, parseJsonRecord, parseLine } from './parsing/index.js';
