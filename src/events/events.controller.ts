import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Access } from '../common/index.js';
import { departmentScope, ROLES, type Principal } from '../shared/principal.js';
import { CurrentPrincipal } from '../auth/index.js';
import { FILTER_FIELDS, InvalidCursorError, type EventQuery, type EventStore, type FilterField } from './event-store.js';
import { EVENT_STORE } from './tokens.js';
import { eventErrors } from './errors.js';

const asArray = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

class EventFilterQuery {
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** `field:value`, repeatable; the fields are those every store indexes. */
  @IsOptional() @Transform(asArray) @IsArray() @IsString({ each: true }) filter?: string[];
}

class EventSearchQuery extends EventFilterQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @IsString() @MaxLength(500) after?: string;
  @IsOptional() @IsIn(['asc', 'desc']) order?: 'asc' | 'desc';
}

class CountQuery extends EventFilterQuery {
  @IsIn(FILTER_FIELDS) field: FilterField;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) size?: number;
}

class HistogramQuery extends EventFilterQuery {
  @IsOptional() @IsIn(['minute', 'hour', 'day']) bucket?: 'minute' | 'hour' | 'day';
}

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
@Access.roles(...ROLES)
export class EventsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Owners only ever see events of their own department's assets. */
  private query(q: EventFilterQuery, principal: Principal): EventQuery {
    const filters: Partial<Record<FilterField, string[]>> = {};
    for (const item of q.filter ?? []) {
      const colon = item.indexOf(':');
      const field = item.slice(0, colon) as FilterField;
      if (colon < 1 || !FILTER_FIELDS.includes(field)) {
        throw eventErrors.bad_filter({ filter: item, fields: FILTER_FIELDS });
      }
      (filters[field] ??= []).push(item.slice(colon + 1));
    }
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from >= to) throw eventErrors.range_reversed();
    const scope = departmentScope(principal);
    return { from, to, text: q.q, filters, ...(scope !== undefined ? { departments: [scope] } : {}) };
  }

  @Get()
  async search(@Query() q: EventSearchQuery, @CurrentPrincipal() principal: Principal) {
    try {
      return await this.store.search(this.query(q, principal), { limit: q.limit ?? 50, after: q.after, order: q.order });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw eventErrors.bad_cursor({}, { reason: error.message });
      throw error;
    }
  }

  @Get('counts')
  async counts(@Query() q: CountQuery, @CurrentPrincipal() principal: Principal) {
    return { field: q.field, buckets: await this.store.countBy(q.field, this.query(q, principal), q.size ?? 10) };
  }

  @Get('histogram')
  async histogram(@Query() q: HistogramQuery, @CurrentPrincipal() principal: Principal) {
    const bucket = q.bucket ?? 'hour';
    return { bucket, buckets: await this.store.histogram(this.query(q, principal), bucket) };
  }

  @Get(':id')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const event = await this.store.get(id);
    const scope = departmentScope(principal);
    if (!event || (scope !== undefined && event.taishi?.department !== scope)) throw eventErrors.not_found({ id });
    return event;
  }
}
