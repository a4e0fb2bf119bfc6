/**
 * Topics and their payloads. Each module declares the topics it publishes next to the payload
 * type, by augmenting this interface:
 *
 *   declare module '../shared/event-bus.js' {
 *     interface Topics { 'alerts.recorded': RecordedAlert[] }
 *   }
 */
export interface Topics {}

export type Topic = keyof Topics;
export type Handler<T extends Topic> = (payload: Topics[T]) => unknown;

export interface HandlerFailure {
  topic: string;
  subscriber: string;
  error: unknown;
}

/**
 * The one in-process way for a module to learn what another did, without importing it: the
 * publisher names a topic, subscribers register by name. A failing subscriber never stops the
 * others or the publisher; it is reported (logged and counted by whoever builds the bus).
 * Publishing waits for every subscriber, so a caller that needs the work done (a batch fully
 * handled before it is acknowledged, a test) can await it. Work that must survive a crash goes
 * through the durable outbox, which publishes here once the change has committed.
 */
export class EventBus {
  private readonly subscribers = new Map<string, { name: string; handler: (payload: unknown) => unknown }[]>();

  constructor(private readonly onFailure: (failure: HandlerFailure) => void) {}

  subscribe<T extends Topic>(topic: T, subscriber: string, handler: Handler<T>): () => void {
    const list = this.subscribers.get(topic) ?? [];
    const entry = { name: subscriber, handler: handler as (payload: unknown) => unknown };
    list.push(entry);
    this.subscribers.set(topic, list);
    return () => this.subscribers.set(topic, (this.subscribers.get(topic) ?? []).filter((e) => e !== entry));
  }

  /** Runs every subscriber of the topic; resolves to the failures, already reported. */
  async publish<T extends Topic>(topic: T, payload: Topics[T]): Promise<HandlerFailure[]> {
    const list = this.subscribers.get(topic) ?? [];
    const results = await Promise.allSettled(list.map(async (s) => s.handler(payload)));
    const failures: HandlerFailure[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') failures.push({ topic, subscriber: list[i].name, error: r.reason });
    });
    for (const failure of failures) this.onFailure(failure);
    return failures;
  }

  hasSubscribers(topic: Topic): boolean {
    return (this.subscribers.get(topic)?.length ?? 0) > 0;
  }
}
