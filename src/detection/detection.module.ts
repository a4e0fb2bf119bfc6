import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { AlertsController } from './alerts/alerts.controller.js';
import { AlertsService } from './alerts/alerts.service.js';
import { ExceptionsService } from './exceptions.service.js';
import { LiveDetection } from './live-detection.js';
import { RuleCatalogue } from './rule-catalogue.js';
import { RuleFiles } from './rule-files.js';
import { RulePackService } from './rule-pack.service.js';
import { RuleTester } from './rule-tester.js';
import { ScheduledRules } from './scheduled-rules.js';
import { RulesController } from './rules.controller.js';

@Module({})
export class DetectionModule {
  static forRoot() {
    return {
      module: DetectionModule,
      // Incident handling listens to alerts; detection stays unaware of it.
      global: true,
      imports: [AuditModule],
      controllers: [AlertsController, RulesController],
      providers: [AlertsService, ExceptionsService, LiveDetection, RuleCatalogue, RuleFiles, RulePackService, RuleTester, ScheduledRules],
      exports: [AlertsService, RuleCatalogue, RulePackService],
    };
  }
}
