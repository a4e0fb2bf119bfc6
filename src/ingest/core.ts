/** The ingest pipeline without the collectors and the store: for the command line and worker threads. */
export { IngestPipeline } from './pipeline.js';
