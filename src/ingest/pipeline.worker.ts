import { parentPort } from 'node:worker_threads';
import { AssetIndex } from '../assets/core.js';
import { privacyHook, type PrivacyHook } from '../classification/core.js';
import { prepareCopy } from '../events/core.js';
import { IngestPipeline } from './pipeline.js';
import { fromWire, type ToWorker, type WireBatch } from './pipeline-pool.js';

// One pipeline per thread. The asset index comes when it changes; the privacy settings (a key and
// a policy) come with every batch, so a batch is always masked as the main thread would mask it.
let index = new AssetIndex([]);
let privacy: PrivacyHook | undefined;
const pipeline = new IngestPipeline(() => index, () => privacy);

parentPort!.on('message', (message: ToWorker) => {
  if (message.kind === 'assets') {
    index = new AssetIndex(message.entries);
    return;
  }
  privacy = message.privacy && privacyHook(message.privacy.key, message.privacy.policy);
  try {
    const batch = pipeline.run(fromWire(message.records), message.context);
    const json = batch.events.map((event) => JSON.stringify(event));
    const wire: WireBatch = { ...batch, events: json, prepared: message.prepare ? prepareCopy(batch.events, Date.now(), json) : undefined };
    parentPort!.postMessage({ id: message.id, batch: wire }, wire.prepared?.rows.map((bytes) => bytes.buffer as ArrayBuffer) ?? []);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: (error as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
