import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Access } from '../../common/index.js';
import { ROLES, type RequestPrincipal } from '../../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../../auth/index.js';
import { ALERT_LIST_STATUSES, ALERT_STATUSES, RESOLUTIONS } from './alert.js';
import { ALERT_SORT_EXPRESSIONS } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';

const ALERT_SORTS = Object.keys(ALERT_SORT_EXPRESSIONS).flatMap((column) => [`${column}:asc`, `${column}:desc`]);

class AlertListQuery {
  @IsOptional() @IsIn(ALERT_LIST_STATUSES) status?: string;
  @IsOptional() @IsIn(['informational', 'low', 'medium', 'high', 'critical']) level?: string;
  @IsOptional() @IsString() @MaxLength(200) ruleId?: string;
  /** `column:asc|desc`, one of the columns the list shows; the newest first when absent. */
  @IsOptional() @IsIn(ALERT_SORTS) sort?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) offset?: number;
}

class AlertStatusDto {
  @IsIn(ALERT_STATUSES) status: (typeof ALERT_STATUSES)[number];
  @IsOptional() @IsIn(RESOLUTIONS) resolution?: (typeof RESOLUTIONS)[number];
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Owners see alerts on their own department's assets. */
  @Get()
  @Access.roles(...ROLES)
  list(@Query() query: AlertListQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.alerts.list(query, principal);
  }

  @Get(':id')
  @Access.roles(...ROLES)
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.alerts.get(id, principal);
  }

  /** Security staff triage: acknowledge, close with a resolution, reopen with a note. */
  @Patch(':id')
  @Access.roles('admin', 'analyst')
  setStatus(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AlertStatusDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.alerts.setStatus(id, dto, { principal, sourceIp });
  }
}
