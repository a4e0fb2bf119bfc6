import { Global, Module } from '@nestjs/common';
import type { Settings } from './settings.js';

/** Injection token for the validated settings object. */
export const SETTINGS_TOKEN = Symbol('TaishiSettings');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: Settings) {
    return {
      module: ConfigModule,
      providers: [{ provide: SETTINGS_TOKEN, useValue: settings }],
      exports: [SETTINGS_TOKEN],
    };
  }
}
