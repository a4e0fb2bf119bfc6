import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access } from '../common/index.js';
import { Database } from '../database/index.js';
import { defineErrors } from '../shared/index.js';

const healthErrors = defineErrors('health', {
  database_down: { kind: 'unavailable', message: { 'zh-CN': '数据库无法连接', en: 'Database unreachable' } },
});

@ApiTags('health')
@Controller('health')
@Access.public()
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw healthErrors.database_down({}, { database: 'down' });
    }
    return { status: 'ok', checks: { database: 'up' } };
  }
}
