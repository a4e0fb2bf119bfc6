import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from './assets/assets.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { DepartmentsModule } from './departments/index.js';
import { HttpErrorFilter } from './common/http-errors.js';
import { ConfigModule, type Settings } from './config/index.js';
import { DatabaseModule, dataSourceOptions } from './database/index.js';
import type { EventStore } from './events/event-store.js';
import { ClassificationModule } from './classification/classification.module.js';
import { ComplianceModule } from './compliance/index.js';
import { ConsoleModule } from './console/index.js';
import { DetectionModule } from './detection/detection.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { IncidentsModule } from './incidents/index.js';
import { IngestModule } from './ingest/ingest.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SituationModule } from './situation/index.js';
import { NotificationsModule } from './notifications/index.js';
import { PlatformModule } from './platform/index.js';
import type { Clock } from './shared/index.js';

@Module({})
export class AppModule {
  /** `listen: false` builds the same services for CLI jobs, without collectors or schedules. */
  static forRoot(settings: Settings, databaseUrl: string, options: { listen: boolean; eventStore?: EventStore; clock?: Clock } = { listen: true }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl)),
        ...(options.listen ? [ScheduleModule.forRoot()] : []),
        DatabaseModule,
        MetricsModule,
        PlatformModule.forRoot({ listen: options.listen, clock: options.clock }),
        AuditModule,
        AuthModule,
        DepartmentsModule,
        AssetsModule,
        EventsModule.forRoot(databaseUrl, options.eventStore),
        ClassificationModule,
        IngestModule.forRoot({ listen: options.listen }),
        DetectionModule.forRoot(),
        NotificationsModule.forRoot({ listen: options.listen }),
        IncidentsModule,
        ComplianceModule.forRoot({ listen: options.listen }),
        HealthModule,
        SituationModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
