import { Global, Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { EventsController } from './events.controller.js';
import type { EventStore } from './event-store.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { RetentionService } from './retention.service.js';
import { EVENT_STORE } from './tokens.js';


/** Closes the store's connections when the service stops. */
class EventStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  onModuleInit() {
    return this.store.init();
  }
  onApplicationShutdown() {
    return this.store.close();
  }
}

@Global()
@Module({})
export class EventsModule {
  /** `store` replaces the configured store (benchmarks measure the front door without one). */
  static forRoot(databaseUrl: string, store?: EventStore) {
    return {
      module: EventsModule,
      controllers: [EventsController],
      providers: [
        {
          provide: EVENT_STORE,
          inject: [SETTINGS_TOKEN],
          useFactory: async (settings: Settings): Promise<EventStore> => {
            if (store) return store;
            if (settings.TAISHI_ELASTICSEARCH_URL) {
              const { ElasticsearchEventStore } = await import('./elasticsearch-event-store.js');
              return new ElasticsearchEventStore(settings.TAISHI_ELASTICSEARCH_URL, settings.TAISHI_ELASTICSEARCH_INDEX_PREFIX);
            }
            return new PostgresEventStore(databaseUrl);
          },
        },
        EventStoreLifecycle,
        RetentionService,
      ],
      exports: [EVENT_STORE, RetentionService],
    };
  }
}

