import { createHash } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { writeFileWhole } from '../../store/durable-file.js';

/** What identifies one QoS 1 delivery: the broker's packet id, and what the message says where. */
export interface Delivery {
  messageId?: number;
  dup: boolean;
  topic: string;
  payload: Buffer;
}

/**
 * Remembers when each of the last deliveries was first received, so that a message the broker
 * sends again (its acknowledgement was lost to a crash or the network) is stamped with its first
 * receive time. Its event then gets the same time and the same id, and the store keeps one copy.
 * A payload without a time of its own is otherwise stamped with the second receive time and
 * stored twice.
 *
 * What is stable across a redelivery: the broker resends an unacknowledged message with its
 * original packet id and the DUP flag, topic and payload unchanged (MQTT 3.1.1 §4.4, 5.0 §4.4).
 * Packet ids alone are reused once acknowledged, so a message is matched on packet id + topic +
 * payload, only when flagged DUP, and only against the last `capacity` deliveries; a new delivery
 * with a remembered packet id shows the broker has reused it and replaces the old entry. The
 * one case this cannot tell apart: a broker that reuses a packet id at once (lowest free id), a
 * lost acknowledgement and a lost first delivery of a byte-identical message on the same topic.
 *
 * The ledger is a file in the data folder, appended to before the event is written and not
 * fsynced: a crashed process leaves its writes in the page cache. Only a power cut in that
 * moment can lose an entry, and then the redelivered message is stored twice, never lost.
 */
export class DeliveryLedger {
  /** Packet id → digest of topic and payload, and first receive time (ms); in delivery order. */
  private readonly entries = new Map<number, { digest: string; at: number }>();
  private file: FileHandle | undefined;
  private appended = 0;

  constructor(
    private readonly filePath: string,
    private readonly capacity = 1024,
  ) {}

  async open(): Promise<void> {
    await mkdir(path.dirname(this.filePath), { recursive: true, mode: 0o700 });
    const text = await readFile(this.filePath, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
    for (const line of text.split('\n')) {
      const [id, digest, at] = line.split(' ');
      if (id && digest && Number.isFinite(Number(at))) this.remember(Number(id), digest, Number(at));
    }
    await this.compact();
  }

  /** The receive time for this delivery: the first delivery's when this is a redelivery of a remembered message. */
  async receivedAt(delivery: Delivery, now = new Date()): Promise<{ at: Date; redelivered: boolean }> {
    if (delivery.messageId === undefined) return { at: now, redelivered: false }; // QoS 0: never redelivered
    const digest = createHash('sha256').update(delivery.topic).update('\0').update(delivery.payload).digest('base64url').slice(0, 22);
    const known = this.entries.get(delivery.messageId);
    if (delivery.dup && known?.digest === digest) return { at: new Date(known.at), redelivered: true };
    this.remember(delivery.messageId, digest, now.getTime());
    await this.file!.write(`${delivery.messageId} ${digest} ${now.getTime()}\n`);
    if (++this.appended > this.capacity * 4) await this.compact();
    return { at: now, redelivered: false };
  }

  async close(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
  }

  private remember(id: number, digest: string, at: number): void {
    this.entries.delete(id); // re-inserted last, so the map stays in delivery order
    this.entries.set(id, { digest, at });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Rewrites the file with only the remembered entries (whole or not at all), and appends from there. */
  private async compact(): Promise<void> {
    await this.file?.close();
    await writeFileWhole(this.filePath, [...this.entries].map(([id, { digest, at }]) => `${id} ${digest} ${at}\n`).join(''));
    this.file = await open(this.filePath, 'a', 0o600);
    this.appended = 0;
  }
}
