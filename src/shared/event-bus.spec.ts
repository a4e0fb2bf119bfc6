import { EventBus, type HandlerFailure } from './event-bus.js';

declare module './event-bus.js' {
  interface Topics {
    'example.happened': { n: number };
  }
}

describe('EventBus', () => {
  it('delivers to every subscriber, and a failing one neither stops the others nor the publisher', async () => {
    const failures: HandlerFailure[] = [];
    const bus = new EventBus((f) => failures.push(f));
    const seen: number[] = [];
    bus.subscribe('example.happened', 'first', ({ n }) => void seen.push(n));
    bus.subscribe('example.happened', 'broken', () => {
      throw new Error('boom');
    });
    const unsubscribe = bus.subscribe('example.happened', 'late', async ({ n }) => {
      await Promise.resolve();
      seen.push(n * 10);
    });
    const reported = await bus.publish('example.happened', { n: 2 });
    expect(seen).toEqual([2, 20]);
    expect(reported.map((f) => f.subscriber)).toEqual(['broken']);
    expect(failures).toHaveLength(1);
    unsubscribe();
    await bus.publish('example.happened', { n: 3 });
    expect(seen).toEqual([2, 20, 3]);
  });
});
