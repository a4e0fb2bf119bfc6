/**
 * A small Prometheus text-format registry. The service exports a few dozen series; a client
 * library would bring more than it saves.
 */
type Labels = Record<string, string>;

const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract lines(): string[];
}

export class Counter extends Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.value ?? 0;
  }
  /** Every labelled series with its value (the situation view lists collectors this way). */
  entries(): { labels: Labels; value: number }[] {
    return [...this.values.values()].map((e) => ({ labels: { ...e.labels }, value: e.value }));
  }
  lines(): string[] {
    return [...this.values].map(([key, { value }]) => `${this.name}${key ? `{${key}}` : ''} ${value}`);
  }
}

/**
 * A value read at scrape time: a gauge (queue depth), or a counter kept elsewhere (a listener's
 * own tallies), so nothing is copied and nothing goes stale.
 */
export class Gauge extends Metric {
  private readonly sources = new Map<string, () => number>();
  private readonly families: (() => { labels: Labels; value: number }[])[] = [];
  constructor(name: string, help: string, type: 'gauge' | 'counter' = 'gauge') {
    super(name, help, type);
  }
  track(labels: Labels, read: () => number): void {
    this.sources.set(labelKey(labels), read);
  }
  /** Series whose label sets are only known at scrape time (one per sending program, say). */
  trackAll(read: () => { labels: Labels; value: number }[]): void {
    this.families.push(read);
  }
  lines(): string[] {
    const series = (key: string, value: number) => `${this.name}${key ? `{${key}}` : ''} ${value}`;
    return [...[...this.sources].map(([key, read]) => series(key, read())), ...this.families.flatMap((read) => read().map((s) => series(labelKey(s.labels), s.value)))];
  }
}

export class Histogram extends Metric {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    private readonly bounds: number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    this.bounds.forEach((bound, i) => {
      if (value <= bound) s.buckets[i]++;
    });
    s.sum += value;
    s.count++;
  }
  lines(): string[] {
    return [...this.series].flatMap(([key, s]) => {
      const withLe = (le: string) => `{${key ? `${key},` : ''}le="${le}"}`;
      return [
        ...this.bounds.map((bound, i) => `${this.name}_bucket${withLe(String(bound))} ${s.buckets[i]}`),
        `${this.name}_bucket${withLe('+Inf')} ${s.count}`,
        `${this.name}_sum${key ? `{${key}}` : ''} ${s.sum}`,
        `${this.name}_count${key ? `{${key}}` : ''} ${s.count}`,
      ];
    });
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  private register<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing) return existing as M;
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }
  /** A counter whose value lives elsewhere and is read at scrape time. */
  observedCounter(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help, 'counter'));
  }
  histogram(name: string, help: string, bounds: number[]): Histogram {
    return this.register(new Histogram(name, help, bounds));
  }

  text(): string {
    return [...this.metrics.values()].map((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.lines()].join('\n')).join('\n') + '\n';
  }
}
