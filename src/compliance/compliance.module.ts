import { type DynamicModule, Module } from '@nestjs/common';
import { AssetsModule } from '../assets/index.js';
import { AuditModule } from '../audit/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { IncidentsModule } from '../incidents/index.js';
import { AttestationsService } from './attestations.service.js';
import { AttestationsController, ComplianceController, FindingsController } from './compliance.controller.js';
import { ControlCatalogue } from './control-catalogue.js';
import { FactsBuilder } from './facts/facts-builder.js';
import { CountryTable } from './facts/countries.js';
import { AddressPlaces } from './facts/places.js';
import { FindingsService } from './findings.service.js';
import { ProfilesService } from './profiles.service.js';
import { RecordsService } from './records.service.js';
import { RunsService } from './runs.service.js';
import { ComplianceScheduler } from './scheduler.service.js';
import { ComplianceSituationSection } from './situation-section.js';

@Module({})
export class ComplianceModule {
  /** `listen: false` for CLI jobs: they run audits on demand, never on the schedules. */
  static forRoot(options: { listen: boolean }): DynamicModule {
    return {
      module: ComplianceModule,
      imports: [AssetsModule, AuditModule, IncidentsModule],
      controllers: [ComplianceController, FindingsController, AttestationsController],
      providers: [
        { provide: AddressPlaces, inject: [SETTINGS_TOKEN], useFactory: (settings: Settings) => new AddressPlaces(CountryTable.load(settings.TAISHI_GEO_COUNTRY_DB)) },
        ControlCatalogue,
        FactsBuilder,
        RecordsService,
        ProfilesService,
        FindingsService,
        AttestationsService,
        RunsService,
        ComplianceSituationSection,
        ...(options.listen ? [ComplianceScheduler] : []),
      ],
      exports: [ProfilesService, RunsService],
    };
  }
}
