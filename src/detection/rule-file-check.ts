import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { compiledWorkerScript } from '../shared/index.js';
import { DetectionEngine } from './detection-engine.js';
import { dormancyText } from './rule-pack.js';
import { SigmaError, SigmaLimitError, parseSigmaDocuments, type ParseResult } from './sigma/index.js';

/**
 * A rule file sent to the API is checked in a worker thread with a time and heap limit, so no file
 * (an alias bomb, a gigantic pattern, a parser pathology nobody has found yet) can stall the
 * service's event loop or exhaust its memory. Only a file the worker accepted is then loaded by the
 * service itself.
 */

/** Larger rule files are refused (413) before any parsing; SigmaHQ's largest is 295 KB. */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;
export const RULE_CHECK_TIMEOUT_MS = 5000;
export const RULE_CHECK_HEAP_MB = 128;
/**
 * The service loads an accepted file on its own event loop (at every rule reload), so the check
 * also refuses files whose parsing and compiling alone take longer than this.
 */
export const MAX_RULE_FILE_LOAD_MS = 1000;
/** Checks running at once; more wait their turn (they are short, and only admins and analysts send them). */
const CONCURRENT_CHECKS = 2;

export interface RuleFileCheckRequest {
  text: string;
  /** The name errors carry (`uploaded.yml:4:7: …`). */
  fileName: string;
  /** `syntax`: the Sigma rules alone; `pack`: also against the logsource mapping and placeholders, as the service loads it. */
  mode: 'syntax' | 'pack';
  logsources?: string;
  placeholders?: string;
}

export interface RuleFileVerdict {
  /** `file:line:column: message` of every problem found. */
  errors: string[];
  rules: number;
  correlations: number;
  /** The ids the file's rules and correlations declare. */
  ids: string[];
  /** Valid rules that cannot run yet (no source for their logsource, a placeholder without a value). */
  dormant: { id: string | null; title: string; reason: string }[];
  /** Set when the file exceeds a resource limit rather than being wrong (the API answers 422). */
  limit?: string;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Identifiers and titles end up in alerts, the audit trail and file names: a control character
 * there (NUL breaks PostgreSQL text, a line break forges log lines) is refused.
 */
function controlCharacterErrors(parsed: ParseResult): SigmaError[] {
  const errors: SigmaError[] = [];
  for (const doc of [...parsed.rules, ...parsed.correlations, ...parsed.filters]) {
    const values: [string, string | undefined][] = [
      ['id', doc.id],
      ['name', doc.name],
      ['title', doc.title],
      ...(doc.tags ?? []).map((t): [string, string] => ['tags', t]),
    ];
    for (const [key, value] of values) {
      const bad = value === undefined ? null : CONTROL.exec(value);
      if (!bad) continue;
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      errors.push(SigmaError.at(`'${key}' must not contain control characters (U+${code} at character ${bad.index + 1})`, doc.file, doc.pos));
    }
  }
  return errors;
}

/** The check itself, as the worker runs it (pure apart from a scratch file for the pack loader). */
export function checkRuleFile(request: RuleFileCheckRequest): RuleFileVerdict {
  const started = performance.now();
  const verdict = checkRuleText(request);
  const tookMs = Math.round(performance.now() - started);
  if (!verdict.limit && tookMs > MAX_RULE_FILE_LOAD_MS) {
    const limit = `${request.fileName}: loading the rule file took ${tookMs} ms, at most ${MAX_RULE_FILE_LOAD_MS} ms are allowed (split it into smaller files)`;
    return { ...verdict, errors: [limit], limit };
  }
  return verdict;
}

function checkRuleText(request: RuleFileCheckRequest): RuleFileVerdict {
  const parsed = parseSigmaDocuments(request.text, request.fileName);
  const limit = parsed.errors.find((e) => e instanceof SigmaLimitError);
  if (limit) return { errors: [String(limit)], rules: 0, correlations: 0, ids: [], dormant: [], limit: String(limit) };
  const identifierErrors = controlCharacterErrors(parsed).map(String);
  const ids = [...parsed.rules, ...parsed.correlations].flatMap((d) => (d.id ? [d.id] : []));
  if (request.mode === 'syntax') {
    return { errors: [...parsed.errors.map(String), ...identifierErrors], rules: parsed.rules.length, correlations: parsed.correlations.length, ids, dormant: [] };
  }
  const { engine, errors } = loadRuleText(request.text, request.fileName, { logsources: request.logsources!, placeholders: request.placeholders! });
  const dormant = engine.pack.dormant.map((d) => ({ id: d.rule.id ?? null, title: d.rule.title, reason: dormancyText(d.reason) }));
  return { errors: [...errors, ...identifierErrors], rules: engine.pack.rules.length, correlations: engine.pack.correlations.length, ids, dormant };
}

/** A rule file's text loaded as the service loads its rules folder; errors name the file `fileName`. */
export function loadRuleText(text: string, fileName: string, files: { logsources: string; placeholders: string }): { engine: DetectionEngine; errors: string[] } {
  const scratch = mkdtempSync(path.join(tmpdir(), 'taishi-rule-'));
  try {
    const candidate = path.join(scratch, fileName);
    writeFileSync(candidate, text);
    const { engine, errors } = DetectionEngine.fromFiles({ rules: candidate, ...files });
    return { engine, errors: errors.map((e) => e.replace(path.relative(process.cwd(), candidate), fileName)) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let running = 0;
const waiting: (() => void)[] = [];

async function turn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENT_CHECKS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** `checkRuleFile` in a worker thread with a time and heap limit; exceeding either is a `limit` verdict. */
export function checkRuleFileIsolated(request: RuleFileCheckRequest, limits = { timeoutMs: RULE_CHECK_TIMEOUT_MS, heapMb: RULE_CHECK_HEAP_MB }): Promise<RuleFileVerdict> {
  return turn(
    () =>
      new Promise<RuleFileVerdict>((resolve, reject) => {
        const refused = (limit: string): RuleFileVerdict => ({ errors: [limit], rules: 0, correlations: 0, ids: [], dormant: [], limit });
        const worker = new Worker(compiledWorkerScript('./rule-file-check.worker.js', import.meta.url), {
          workerData: request,
          resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
          stdout: false,
          stderr: false,
        });
        const overran = () => refused(`checking the rule file took longer than ${limits.timeoutMs} ms`);
        const deadline = performance.now() + limits.timeoutMs;
        const timer = setTimeout(() => {
          resolve(overran());
          void worker.terminate();
        }, limits.timeoutMs);
        // A thread held off the processor can wake to the worker's verdict and its own expired timer
        // at once, and the verdict is handled first: the clock, not the order, decides.
        worker.once('message', (verdict: RuleFileVerdict) => {
          resolve(performance.now() > deadline ? overran() : verdict);
          void worker.terminate();
        });
        worker.once('error', (error: Error & { code?: string }) => {
          if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve(refused(`checking the rule file needed more than ${limits.heapMb} MB of memory`));
          else reject(error);
        });
        // Settles whatever is still pending (a promise settles once: later calls do nothing).
        worker.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the rule check worker stopped (exit code ${code}) without a verdict`));
        });
      }),
  );
}
