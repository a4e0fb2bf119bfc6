import { parentPort, workerData } from 'node:worker_threads';
import { DetectionEngine } from '../detection/core.js';
import { BatchDetector, type HuntWorkerData, type LineBatch } from './hunt-batches.js';

// Rule problems are reported once, by the main thread, which loads the same rules. Nothing here
// loads the framework: a worker starts in a fraction of a second.
const data = workerData as HuntWorkerData;
const detector = new BatchDetector(DetectionEngine.fromFiles(data.files).engine, data.timeZone);
parentPort!.on('message', (batch: LineBatch) => parentPort!.postMessage(detector.detect(batch)));
