import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Access } from '../common/index.js';
import { AuditService } from './audit.service.js';

class AuditQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  // 18 digits always fit the bigint id column; a longer number would be a 500 from the database.
  @IsOptional() @Matches(/^\d{1,18}$/, { message: 'beforeId must be a record id (1-18 digits)' }) beforeId?: string;
  @IsOptional() @IsString() targetType?: string;
  @IsOptional() @IsString() targetId?: string;
  @IsOptional() @IsString() actor?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Compliance officers read the trail as evidence for regulators. */
  @Get()
  @Access.roles('admin', 'compliance')
  list(@Query() query: AuditQuery) {
    return this.audit.list({ ...query, limit: query.limit ?? 100 });
  }

  @Get('verify')
  @Access.roles('admin', 'compliance')
  verify() {
    return this.audit.verify();
  }
}
