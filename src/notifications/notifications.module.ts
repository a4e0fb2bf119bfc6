import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { Mailer } from './mailer.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { NOTIFICATIONS_OPTIONS, OutboxService } from './outbox.service.js';

@Module({})
export class NotificationsModule {
  /** Global, so any domain module can notify without importing this one. */
  static forRoot(options: { listen: boolean }): DynamicModule {
    return {
      module: NotificationsModule,
      global: true,
      imports: [AuditModule],
      controllers: [NotificationsController],
      providers: [{ provide: NOTIFICATIONS_OPTIONS, useValue: options }, Mailer, OutboxService, NotificationsService],
      exports: [NotificationsService],
    };
  }
}
