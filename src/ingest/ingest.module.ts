import { type DynamicModule, Module } from '@nestjs/common';
import { AssetsModule } from '../assets/index.js';
import { HttpIngestController } from './collectors/http-ingest.controller.js';
import { MqttCollector } from './collectors/mqtt/mqtt.collector.js';
import { SyslogCollector } from './collectors/syslog/syslog.collector.js';
import { IngestService } from './ingest.service.js';

@Module({})
export class IngestModule {
  /** `listen: false` for CLI jobs: they use the pipeline but must not subscribe or open ports. */
  static forRoot(options: { listen: boolean }): DynamicModule {
    return {
      module: IngestModule,
      // One ingest service per process; detection and others subscribe to it without re-importing.
      global: true,
      imports: [AssetsModule],
      controllers: [HttpIngestController],
      providers: [IngestService, ...(options.listen ? [MqttCollector, SyslogCollector] : [])],
      exports: [IngestService],
    };
  }
}
