import { Global, Module } from '@nestjs/common';
import { Database } from './database.js';

/** Provides `Database` to every module's repositories. Global: every module with state needs it. */
@Global()
@Module({ providers: [Database], exports: [Database] })
export class DatabaseModule {}
