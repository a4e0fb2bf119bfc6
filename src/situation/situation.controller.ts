import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Access } from '../common/index.js';
import { ROLES, type RequestPrincipal } from '../shared/principal.js';
import { CurrentPrincipal } from '../auth/index.js';
import { DEFAULT_DISPLAY_TIME_ZONE, IsTimeZone } from '../common/index.js';
import { RANGES, type RangeName } from './buckets.js';
import { SituationService } from './situation.service.js';

class SituationQuery {
  @IsOptional() @IsIn(Object.keys(RANGES)) range?: RangeName;
  /** Zone the chart buckets align to (midnight there); the console sends the user's. */
  @IsOptional() @IsTimeZone() tz?: string;
}

@ApiTags('situation')
@ApiBearerAuth()
@Controller('api/situation')
export class SituationController {
  constructor(private readonly situation: SituationService) {}

  /** Posture score with reasons, alerts over time, assets at risk, ingest health; owners see their department. */
  @Get()
  @Access.roles(...ROLES)
  get(@Query() query: SituationQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.situation.situation(principal, query.range ?? '24h', query.tz ?? DEFAULT_DISPLAY_TIME_ZONE);
  }
}
