import type { Sql } from '../database/index.js';
import type { UnmatchedHost } from './pipeline.js';
import { UnregisteredHostsRepository } from './unregistered-hosts.repository.js';

interface HostSighting {
  kind: 'ip' | 'hostname';
  first: Date;
  last: Date;
  count: number;
  sample: string;
  datasets: Set<string>;
}

export interface UnregisteredHostView {
  address: string;
  kind: string;
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  sampleEventId: string | null;
  datasets: string[];
}

/**
 * Hosts seen in logs that match no registered asset: noted per batch in memory, written every few
 * seconds as one upsert per host (with counts), so a busy unregistered sender costs no write per event.
 */
export class UnregisteredHosts {
  private sightings = new Map<string, HostSighting>();
  private readonly stored = new UnregisteredHostsRepository();

  constructor(private readonly db: Sql) {}

  note(unmatched: UnmatchedHost[]): void {
    for (const u of unmatched) {
      const s = this.sightings.get(u.address);
      if (s) {
        s.count++;
        if (u.at > s.last) s.last = u.at;
        if (u.at < s.first) s.first = u.at;
        s.datasets.add(u.dataset);
      } else this.sightings.set(u.address, { kind: u.kind, first: u.at, last: u.at, count: 1, sample: u.eventId, datasets: new Set([u.dataset]) });
    }
  }

  /** One upsert for everything seen since the last flush. */
  async flush(): Promise<void> {
    if (this.sightings.size === 0) return;
    const batch = this.sightings;
    this.sightings = new Map();
    const rows = [...batch].map(([address, s]) => ({ address, kind: s.kind, first: s.first.toISOString(), last: s.last.toISOString(), count: s.count, sample: s.sample, datasets: [...s.datasets] }));
    await this.stored.fold(this.db, rows);
  }

  /** The open findings, busiest first, less those `registered` now knows (an asset may have been registered since). */
  async list(registered: (kind: string, address: string) => boolean): Promise<UnregisteredHostView[]> {
    await this.flush();
    const rows = await this.stored.open(this.db);
    return rows
      .filter((r) => !registered(r.kind, r.address))
      .map((r) => ({ address: r.address, kind: r.kind, firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString(), eventCount: Number(r.event_count), sampleEventId: r.sample_event_id, datasets: r.datasets }));
  }
}
