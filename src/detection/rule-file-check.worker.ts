import { parentPort, workerData } from 'node:worker_threads';
import { checkRuleFile, type RuleFileCheckRequest } from './rule-file-check.js';

// One check per worker: the thread ends after answering, and its heap goes with it.
parentPort!.postMessage(checkRuleFile(workerData as RuleFileCheckRequest));
