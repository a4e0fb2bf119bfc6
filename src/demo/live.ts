import { setTimeout as sleep } from 'node:timers/promises';
import type { Caller } from '../shared/principal.js';
import type { UsersService } from '../auth/index.js';
import type { IngestService } from '../ingest/index.js';
import { DEMO_TIME_ZONE } from './clock.js';
import { liveAttack } from './scenarios.js';
import { background, shipped, type DemoRecord, type Silence } from './traffic.js';

/** The demo's API key, and the source its events carry (the HTTP collector names them `key/source`). */
export const DEMO_KEY_NAME = 'taishi-demo';
export const DEMO_SOURCE = `${DEMO_KEY_NAME}/city`;
const BATCH = 2000;
const TICK_MS = 5_000;
const FIRST_ATTACK_MS = 30_000;
const ATTACK_EVERY_MS = 90_000;

/** Somewhere the demo's events go: the running service over HTTP, or this process's own pipeline. */
export interface Feed {
  deliver(records: DemoRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Through this process's pipeline, in time order and in batches, exactly as the HTTP collector
 * would take them: the same envelopes and the same source, so an event delivered either way gets
 * the same id and a repeat is stored once.
 */
export async function ingestRecords(ingest: IngestService, records: DemoRecord[], progress?: (done: number, total: number) => void): Promise<void> {
  let done = 0;
  for (const batch of batches(records)) {
    const raw = batch.map((r) => {
      const json = shipped(r);
      return { json, original: JSON.stringify(json) };
    });
    await ingest.ingest(raw, { source: DEMO_SOURCE, transport: 'http', receivedAt: new Date(), format: 'json', timeZone: DEMO_TIME_ZONE }, 'demo');
    done += batch.length;
    progress?.(done, records.length);
  }
  if (records.length === 0) progress?.(0, 0);
}

/**
 * Time order, in batches that never split one second: identical lines of one second are told
 * apart only within a batch (as the second, third… occurrence), so a cut between them would fold
 * them into one event.
 */
function* batches(records: DemoRecord[]): Generator<DemoRecord[]> {
  const sorted = [...records].sort((a, b) => a.at - b.at);
  let start = 0;
  while (start < sorted.length) {
    let end = Math.min(start + BATCH, sorted.length);
    while (end < sorted.length && Math.floor(sorted[end].at / 1000) === Math.floor(sorted[end - 1].at / 1000)) end++;
    yield sorted.slice(start, end);
    start = end;
  }
}

export class InProcessFeed implements Feed {
  constructor(private readonly ingest: IngestService) {}

  deliver(records: DemoRecord[]): Promise<void> {
    return ingestRecords(this.ingest, records);
  }

  async close(): Promise<void> {}
}

/**
 * To the running service's HTTP collector with an ingest-only API key made for this run and
 * revoked when it ends, so the service's own ingest counters, charts and detection see the
 * traffic as they would a real collector's.
 */
export class HttpFeed implements Feed {
  private constructor(
    private readonly users: UsersService,
    private readonly caller: Caller,
    private readonly url: string,
    private readonly key: { id: string; secret: string },
  ) {}

  static async open(users: UsersService, baseUrl: string, caller: Caller): Promise<HttpFeed> {
    // A run killed before it could clean up leaves its key behind; the next run retires it.
    for (const old of await users.listApiKeys()) if (old.name === DEMO_KEY_NAME && !old.revokedAt) await users.revokeApiKey(old.id, caller);
    const created = await users.createApiKey({ name: DEMO_KEY_NAME, scopes: ['ingest'] }, caller);
    return new HttpFeed(users, caller, `${baseUrl}/api/ingest?source=city`, { id: created.id, secret: created.key });
  }

  async deliver(records: DemoRecord[]): Promise<void> {
    for (const batch of batches(records)) await this.post(batch.map((r) => JSON.stringify(shipped(r))).join('\n'));
  }

  private async post(body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(this.url, { method: 'POST', headers: { authorization: `Bearer ${this.key.secret}`, 'content-type': 'application/x-ndjson' }, body, signal: AbortSignal.timeout(30_000) });
      if (response.status === 202) return;
      // A saturated service asks for a pause; anything else is a real failure for the caller to handle.
      if (response.status !== 503 || attempt === 5) throw new Error(`POST /api/ingest answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      await sleep(Number(response.headers.get('retry-after') ?? 5) * 1000);
    }
  }

  async close(): Promise<void> {
    await this.users.revokeApiKey(this.key.id, this.caller);
  }
}

export interface LiveOptions {
  feed: Feed;
  /** Where events go when the feed fails, so nothing generated is lost. */
  fallback: Feed;
  /** The live traffic starts after this instant (where the load stopped). */
  from: number;
  silence: Silence;
  /** Keep going until aborted; otherwise deliver what is due now and stop. */
  follow?: { signal: AbortSignal };
  say: (zh: string, en: string) => void;
}

/**
 * The city keeps living: background traffic since `from` every tick, and now and then a short
 * attack. Returns the instant up to which traffic was delivered.
 */
export async function runLive(options: LiveOptions): Promise<{ until: number; delivered: number; attacks: number }> {
  const { feed, fallback, follow, say } = options;
  let from = options.from;
  let delivered = 0;
  let attacks = 0;
  let target = feed;
  let nextAttack = Date.now() + FIRST_ATTACK_MS;
  const deliver = async (records: DemoRecord[]) => {
    try {
      await target.deliver(records);
    } catch (error) {
      if (target === fallback) throw error;
      say(`实时数据发送失败，此后改由本进程直接写入：${(error as Error).message}`, `sending live events failed; this process writes them itself from now on: ${(error as Error).message}`);
      target = fallback;
      await fallback.deliver(records);
    }
    delivered += records.length;
  };
  for (;;) {
    const now = Date.now();
    const records = background(from, now, options.silence);
    if (follow && now >= nextAttack) {
      // Stamped so the whole burst lies in the past when it is sent.
      records.push(...liveAttack(now - 20_000, attacks++));
      nextAttack = now + ATTACK_EVERY_MS;
    }
    await deliver(records);
    from = now;
    if (!follow || follow.signal.aborted) break;
    try {
      await sleep(TICK_MS, undefined, { signal: follow.signal });
    } catch {
      break;
    }
  }
  return { until: from, delivered, attacks };
}
