import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Database } from '../database/index.js';
import { OutboxRelay } from '../database/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { Clock, EventBus } from '../shared/index.js';
import { Scheduler } from './scheduler.js';

const POLL_MS = 2_000;
const PRUNE_MS = 3_600_000;

/**
 * Runs the domain outbox's relay: on a timer (what other instances or a crash left behind) and at
 * once when a service in this process says it has just committed news (`kick`).
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Outbox');
  private readonly relay: OutboxRelay;
  private running: Promise<void> | undefined;
  private again = false;
  private pending = 0;

  constructor(
    private readonly db: Database,
    bus: EventBus,
    clock: Clock,
    private readonly scheduler: Scheduler,
    metrics: MetricsRegistry,
  ) {
    this.relay = new OutboxRelay(db, bus, clock);
    metrics.gauge('taishi_outbox_pending', 'Domain outbox rows waiting for delivery, as of the last relay pass').track({}, () => this.pending);
  }

  /** Only a listening service relays on a timer (see Scheduler); CLI jobs deliver what they enqueue through `drain`. */
  onApplicationBootstrap(): void {
    this.scheduler.every('outbox-relay', POLL_MS, () => this.drain());
    this.scheduler.every('outbox-prune', PRUNE_MS, () => this.relay.prune(this.db));
  }

  /** Delivers what is due now; concurrent calls share one pass and ask for one more after it. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const report = await this.relay.deliverDue();
          if (report.failed) this.logger.warn(`${report.failed} outbox message(s) failed and will be retried`);
        } while (this.again);
        this.pending = (await this.relay.backlog(this.db)).pending;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  kick(): void {
    void this.drain().catch((error: Error) => this.logger.warn(`Outbox delivery failed: ${error.message}`));
  }
}
