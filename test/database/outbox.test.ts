import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/index.js';
import { LockId, lockForTransaction, tryLockForTransaction } from '../../src/database/locks.js';
import { enqueue, OutboxRelay } from '../../src/database/outbox.js';
import type { Transactor } from '../../src/database/sql.js';
import { EventBus, FakeClock, type HandlerFailure } from '../../src/shared/index.js';
import { createMigratedDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

declare module '../../src/shared/event-bus.js' {
  interface Topics {
    'test.outbox': { n: number };
  }
}

describe.each(testDatabaseTargets())('domain outbox and locks on PostgreSQL ($name)', ({ adminUrl }) => {
  let url: string;
  let dataSource: DataSource;
  let db: Transactor;

  beforeAll(async () => {
    url = await createMigratedDatabase(adminUrl);
    dataSource = await new DataSource(dataSourceOptions(url)).initialize();
    db = { transaction: (work) => dataSource.transaction((m) => work(m)) };
  });
  afterAll(async () => {
    await dataSource.destroy();
    await dropTestDatabase(adminUrl, url);
  });

  it('delivers only what committed, retries a failing subscriber with backoff, and delivers once', async () => {
    const clock = new FakeClock(new Date());
    const failures: HandlerFailure[] = [];
    const bus = new EventBus((f) => failures.push(f));
    const seen: number[] = [];
    let failNext = true;
    bus.subscribe('test.outbox', 'recorder', ({ n }) => {
      if (n === 2 && failNext) {
        failNext = false;
        throw new Error('not yet');
      }
      seen.push(n);
    });
    await db.transaction((tx) => enqueue(tx, 'test.outbox', { n: 1 }));
    await db
      .transaction(async (tx) => {
        await enqueue(tx, 'test.outbox', { n: 99 });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    await db.transaction((tx) => enqueue(tx, 'test.outbox', { n: 2 }));
    const relay = new OutboxRelay(db, bus, clock);

    expect(await relay.deliverDue()).toEqual({ delivered: 1, failed: 1 });
    expect(seen).toEqual([1]);
    expect(failures.map((f) => f.subscriber)).toEqual(['recorder']);
    // Not due again until its backoff has passed.
    expect(await relay.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    await clock.advance(1_000);
    expect(await relay.deliverDue()).toEqual({ delivered: 1, failed: 0 });
    expect(seen).toEqual([1, 2]);
    expect(await relay.backlog(dataSource.manager)).toEqual({ pending: 0, oldestAt: null });
    const [row] = await dataSource.query(`SELECT attempts, last_error FROM domain_outbox WHERE payload->>'n' = '2'`);
    expect(row).toEqual({ attempts: 2, last_error: null });
  });

  it('two relays on one database never deliver a row twice', async () => {
    const clock = new FakeClock(new Date());
    const seen: number[] = [];
    const bus = new EventBus(() => undefined);
    bus.subscribe('test.outbox', 'slow', async ({ n }) => {
      await new Promise((r) => setTimeout(r, 2));
      seen.push(n);
    });
    await db.transaction(async (tx) => {
      for (let n = 0; n < 250; n++) await enqueue(tx, 'test.outbox', { n });
    });
    await Promise.all([new OutboxRelay(db, bus, clock).deliverDue(), new OutboxRelay(db, bus, clock).deliverDue()]);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(250).keys()]);
  });

  it('a lock held in one transaction is refused to another until it ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let acquired!: () => void;
    const isHeld = new Promise<void>((r) => (acquired = r));
    const holder = db.transaction(async (tx) => {
      await lockForTransaction(tx, LockId.Retention);
      acquired();
      await held;
    });
    await isHeld;
    expect(await db.transaction((tx) => tryLockForTransaction(tx, LockId.Retention))).toBe(false);
    // A sub-key is a lock of its own.
    expect(await db.transaction((tx) => tryLockForTransaction(tx, LockId.Retention, 'other'))).toBe(true);
    release();
    await holder;
    expect(await db.transaction((tx) => tryLockForTransaction(tx, LockId.Retention))).toBe(true);
  });
});
