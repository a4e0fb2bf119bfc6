import { Client, errors } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import { DAY_MS, decodeCursor, encodeCursor, filingTime, type EventPage, type EventQuery, type EventStore, type FilterField, type StoredEvent, type TimeBucket, type WriteResult } from './event-store.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/**
 * Only the fields the store filters, sorts and counts on are mapped; everything else stays in
 * _source unindexed (`dynamic: false`), so arbitrary vendor fields cannot explode the mapping.
 * Malformed dates and addresses are kept in _source instead of failing the document.
 */
const MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date', ignore_malformed: true },
    message: { type: 'text' },
    event: {
      properties: {
        id: keyword,
        kind: keyword,
        module: keyword,
        dataset: keyword,
        action: keyword,
        outcome: keyword,
        category: keyword,
        original: { type: 'text' },
      },
    },
    source: { properties: { ip: { type: 'ip', ignore_malformed: true }, port: { type: 'integer', ignore_malformed: true } } },
    destination: { properties: { ip: { type: 'ip', ignore_malformed: true }, port: { type: 'integer', ignore_malformed: true } } },
    user: { properties: { name: keyword } },
    host: { properties: { name: keyword } },
    observer: { properties: { name: keyword } },
    device: { properties: { id: keyword } },
    taishi: { properties: { asset_id: keyword, department: keyword, zone: keyword } },
  },
};

const RETRIABLE = new Set([429, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ElasticsearchEventStore implements EventStore {
  readonly kind = 'elasticsearch' as const;
  private readonly client: Client;

  constructor(
    url: string,
    private readonly prefix: string,
    /** Tests read their own writes at once; production lets the index refresh on its own schedule. */
    private readonly refreshOnWrite = false,
  ) {
    this.client = new Client({ node: url, requestTimeout: 30_000, maxRetries: 0 });
  }

  private indexFor(day: number): string {
    return `${this.prefix}-${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '.')}`;
  }

  async init(): Promise<void> {
    await this.client.indices.putIndexTemplate({
      name: this.prefix,
      index_patterns: [`${this.prefix}-*`],
      template: { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' }, mappings: MAPPINGS },
      priority: 100,
    });
  }

  /**
   * `create` with the event id as _id: a replayed event answers 409 and is counted as a duplicate.
   * Items refused with 429 are retried with backoff; an item refused for its content is stored in
   * a reduced form with the reason, never dropped.
   */
  async write(events: StoredEvent[]): Promise<WriteResult> {
    const now = Date.now();
    let pending = events.map((event) => ({ event, index: this.indexFor(Math.floor(filingTime(event, now) / DAY_MS)) }));
    let written = 0;
    const duplicateIds: string[] = [];
    for (let attempt = 0; pending.length; attempt++) {
      // Serialised here in one pass: the client's per-item serialiser costs more than the request.
      let body = '';
      for (const { event, index } of pending) body += `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(event.event.id)}}}\n${JSON.stringify(event)}\n`;
      const response = await this.client.bulk({ body, refresh: this.refreshOnWrite ? 'wait_for' : false } as estypes.BulkRequest);
      const retry: typeof pending = [];
      const refused: typeof pending = [];
      response.items.forEach((item, i) => {
        const result = item.create!;
        if (result.status === 201) written++;
        else if (result.status === 409) duplicateIds.push(pending[i].event.event.id);
        else if (RETRIABLE.has(result.status)) retry.push(pending[i]);
        else refused.push({ ...pending[i], event: reduced(pending[i].event, result.error?.reason ?? `status ${result.status}`) });
      });
      if (refused.length && attempt > 3) throw new Error(`Elasticsearch refused ${refused.length} documents even in reduced form`);
      if (retry.length && attempt >= 8) throw new Error(`Elasticsearch kept answering 429 for ${retry.length} documents`);
      if (retry.length) await sleep(Math.min(100 * 2 ** attempt, 5_000));
      pending = [...retry, ...refused];
    }
    return { written, duplicateIds };
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const response = await this.client.search<StoredEvent>({ index: `${this.prefix}-*`, size: 1, query: { term: { 'event.id': id } }, ignore_unavailable: true, allow_no_indices: true });
    return response.hits.hits[0]?._source;
  }

  private filter(query: EventQuery): estypes.QueryDslQueryContainer {
    const must: estypes.QueryDslQueryContainer[] = [];
    if (query.from || query.to) must.push({ range: { '@timestamp': { ...(query.from ? { gte: query.from.toISOString() } : {}), ...(query.to ? { lt: query.to.toISOString() } : {}) } } });
    for (const [field, values] of Object.entries(query.filters ?? {}) as [FilterField, string[]][]) {
      if (values?.length) must.push({ terms: { [field]: values } });
    }
    if (query.text) must.push({ bool: { should: [{ match_phrase: { message: query.text } }, { match_phrase: { 'event.original': query.text } }], minimum_should_match: 1 } });
    if (query.departments) must.push({ terms: { 'taishi.department': query.departments } });
    return { bool: { filter: must } };
  }

  async search(query: EventQuery, page: { limit: number; after?: string; order?: 'asc' | 'desc' }): Promise<EventPage> {
    const order = page.order ?? 'desc';
    const response = await this.client.search<StoredEvent>({
      index: `${this.prefix}-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: page.limit + 1,
      query: this.filter(query),
      sort: [{ '@timestamp': { order, format: 'strict_date_optional_time_nanos' } }, { 'event.id': { order } }],
      ...(page.after ? { search_after: decodeCursor(page.after) } : {}),
      track_total_hits: false,
    });
    const hits = response.hits.hits;
    const more = hits.length > page.limit;
    const shown = more ? hits.slice(0, page.limit) : hits;
    const last = shown.at(-1);
    return {
      events: shown.map((h) => h._source!),
      ...(more && last ? { next: encodeCursor(String(last.sort![0]), String(last.sort![1])) } : {}),
    };
  }

  /** Runs aggregations over the events a query selects (no hits returned). */
  private async aggregate(query: EventQuery, aggs: Record<string, estypes.AggregationsAggregationContainer>) {
    const response = await this.client.search({ index: `${this.prefix}-*`, ignore_unavailable: true, allow_no_indices: true, size: 0, query: this.filter(query), aggs });
    return response.aggregations ?? {};
  }

  async countBy(field: FilterField, query: EventQuery, size: number): Promise<{ value: string; count: number }[]> {
    const aggregations = await this.aggregate(query, { values: { terms: { field, size, order: [{ _count: 'desc' }, { _key: 'asc' }] } } });
    const buckets = (aggregations.values as estypes.AggregationsStringTermsAggregate | undefined)?.buckets as estypes.AggregationsStringTermsBucket[];
    return (buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));
  }

  async histogram(query: EventQuery, bucket: TimeBucket): Promise<{ start: string; count: number }[]> {
    const aggregations = await this.aggregate(query, { over_time: { date_histogram: { field: '@timestamp', calendar_interval: bucket, min_doc_count: 1 } } });
    const buckets = (aggregations.over_time as estypes.AggregationsDateHistogramAggregate | undefined)?.buckets as estypes.AggregationsDateHistogramBucket[];
    return (buckets ?? []).map((b) => ({ start: new Date(b.key).toISOString(), count: b.doc_count }));
  }

  async deleteBefore(cutoff: Date): Promise<number> {
    const firstKeptDay = Math.floor(cutoff.getTime() / DAY_MS);
    const indices = await this.client.cat.indices({ index: `${this.prefix}-*`, format: 'json', h: ['index', 'docs.count'] });
    let removed = 0;
    for (const { index, 'docs.count': count } of indices) {
      const m = new RegExp(`^${this.prefix}-(\\d{4})\\.(\\d{2})\\.(\\d{2})$`).exec(index ?? '');
      if (!m || Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS) >= firstKeptDay) continue;
      await this.client.indices.delete({ index: index! });
      removed += Number(count ?? 0);
    }
    return removed;
  }

  async oldest(): Promise<Date | undefined> {
    const aggregations = await this.aggregate({}, { oldest: { min: { field: '@timestamp' } } });
    const value = (aggregations.oldest as estypes.AggregationsMinAggregate | undefined)?.value;
    return value === null || value === undefined ? undefined : new Date(value);
  }

  async latestByAsset(assetIds: readonly string[]): Promise<Map<string, Date>> {
    const latest = new Map<string, Date>();
    // Bounded requests: a terms filter and bucket count per thousand assets.
    for (let start = 0; start < assetIds.length; start += 1000) {
      const chunk = assetIds.slice(start, start + 1000);
      const aggregations = await this.aggregate(
        { filters: { 'taishi.asset_id': [...chunk] } },
        { assets: { terms: { field: 'taishi.asset_id', size: chunk.length }, aggs: { latest: { max: { field: '@timestamp' } } } } },
      );
      const buckets = ((aggregations.assets as estypes.AggregationsStringTermsAggregate | undefined)?.buckets ?? []) as (estypes.AggregationsStringTermsBucket & { latest: estypes.AggregationsMaxAggregate })[];
      for (const b of buckets) if (b.latest.value !== null && b.latest.value !== undefined) latest.set(String(b.key), new Date(b.latest.value));
    }
    return latest;
  }

  async ping(): Promise<boolean> {
    try {
      return await this.client.ping();
    } catch (error) {
      if (error instanceof errors.ElasticsearchClientError) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** What is kept of a document Elasticsearch refused: enough to find it and read it. */
function reduced(event: StoredEvent, reason: string): StoredEvent {
  return {
    '@timestamp': event['@timestamp'],
    event: {
      id: event.event.id,
      kind: 'event',
      category: [],
      type: [],
      action: String(event.event.action),
      dataset: String(event.event.dataset),
      module: String(event.event.module),
      created: event.event.created,
      original: event.event.original ?? JSON.stringify(event),
      reason: `index_failed: ${reason}`,
    },
    message: event.message ?? event.event.original,
    tags: [...(event.tags ?? []), 'index_failed'],
    ...(event.taishi ? { taishi: event.taishi } : {}),
  } as StoredEvent;
}
