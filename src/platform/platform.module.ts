import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { MetricsRegistry } from '../shared/metrics.js';
import { Clock, EventBus, SystemClock } from '../shared/index.js';
import { PLATFORM_OPTIONS, type PlatformOptions } from './options.js';
import { OutboxService } from './outbox.service.js';
import { Scheduler } from './scheduler.js';

/**
 * What every module may lean on at run time: the clock, the event bus, the scheduler and the
 * durable outbox. Global because it is truly cross-cutting; it knows no domain module.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        {
          provide: EventBus,
          inject: [MetricsRegistry],
          useFactory: (metrics: MetricsRegistry) => {
            const logger = new Logger('EventBus');
            const failures = metrics.counter('taishi_event_subscriber_failures_total', 'Deliveries a subscriber failed on, per topic and subscriber');
            return new EventBus((f) => {
              failures.inc({ topic: f.topic, subscriber: f.subscriber });
              logger.warn(`${f.subscriber} failed on ${f.topic}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
            });
          },
        },
        Scheduler,
        OutboxService,
      ],
      exports: [Clock, EventBus, Scheduler, OutboxService],
    };
  }
}
