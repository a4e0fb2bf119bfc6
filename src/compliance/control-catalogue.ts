import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import path from 'node:path';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { loadCatalogue, type Control } from './catalogue/index.js';

/**
 * The control catalogue from TAISHI_COMPLIANCE_DIR, read afresh for every run so that an edited
 * control applies without a restart. A broken catalogue stops the service at start (with every
 * problem named) and fails a run later, never half-applies.
 */
@Injectable()
export class ControlCatalogue implements OnModuleInit {
  constructor(@Inject(SETTINGS_TOKEN) private readonly settings: Settings) {}

  onModuleInit(): void {
    this.load();
  }

  load(): Control[] {
    return loadCatalogue(path.resolve(this.settings.TAISHI_COMPLIANCE_DIR));
  }
}
