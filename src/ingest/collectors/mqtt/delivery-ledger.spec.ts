import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeliveryLedger, type Delivery } from './delivery-ledger.js';

const first = new Date('2026-11-29T02:00:00Z');
const later = new Date('2026-11-29T02:05:00Z');
const delivery = (messageId: number, payload: string, dup = false, topic = 'city/gate/1'): Delivery => ({ messageId, dup, topic, payload: Buffer.from(payload) });

describe('MQTT delivery ledger', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'taishi-ledger-'));
    file = path.join(dir, 'mqtt', 'client.deliveries');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives a redelivery its first receive time, also after a restart', async () => {
    const ledger = new DeliveryLedger(file);
    await ledger.open();
    expect(await ledger.receivedAt(delivery(7, 'door opened'), first)).toEqual({ at: first, redelivered: false });
    await ledger.close(); // as after a crash: the appended line is all that is left
    const reopened = new DeliveryLedger(file);
    await reopened.open();
    expect(await reopened.receivedAt(delivery(7, 'door opened', true), later)).toEqual({ at: first, redelivered: true });
    await reopened.close();
  });

  it('treats as new what is not flagged DUP, or differs in topic or payload', async () => {
    const ledger = new DeliveryLedger(file);
    await ledger.open();
    await ledger.receivedAt(delivery(7, 'door opened'), first);
    expect((await ledger.receivedAt(delivery(7, 'door opened', true, 'city/gate/2'), later)).redelivered).toBe(false);
    expect((await ledger.receivedAt(delivery(7, 'door closed', true), later)).redelivered).toBe(false);
    // The broker reused packet id 7 for a new message: the old entry is gone.
    await ledger.receivedAt(delivery(7, 'door opened'), later);
    expect(await ledger.receivedAt(delivery(7, 'door opened', true), new Date())).toEqual({ at: later, redelivered: true });
    // QoS 0 has no packet id and is never redelivered.
    expect(await ledger.receivedAt({ dup: false, topic: 't', payload: Buffer.from('x') }, later)).toEqual({ at: later, redelivered: false });
    await ledger.close();
  });

  it('remembers only the last deliveries and keeps its file small', async () => {
    const ledger = new DeliveryLedger(file, 4);
    await ledger.open();
    for (let id = 1; id <= 40; id++) await ledger.receivedAt(delivery(id, `reading ${id}`), first);
    expect((await ledger.receivedAt(delivery(1, 'reading 1', true), later)).redelivered).toBe(false);
    expect((await ledger.receivedAt(delivery(39, 'reading 39', true), later)).redelivered).toBe(true);
    await ledger.close();
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean).length).toBeLessThanOrEqual(4 * 5);
  });
});
