import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module.js';
import { HttpIngestController } from './collectors/http-ingest.controller.js';
import { MqttCollector } from './collectors/mqtt/mqtt.collector.js';
import { IngestService } from './ingest.service.js';

@Module({
  imports: [AssetsModule],
  controllers: [HttpIngestController],
  providers: [IngestService, MqttCollector],
  exports: [IngestService],
})
export class IngestModule {}
