import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsObject, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Access } from '../common/index.js';
import { ROLES, type RequestPrincipal } from '../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../auth/index.js';
import { PREFERENCE_KINDS, type PreferenceKind } from './notification.js';
import { NotificationsService } from './notifications.service.js';
import { OUTBOX_STATUSES, type OutboxStatus } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';

/** One optional switch per kind; an unknown kind is refused by the strict validation pipe. */
class KindSwitches implements Partial<Record<PreferenceKind, boolean>> {
  @IsOptional() @IsBoolean() incident_created?: boolean;
  @IsOptional() @IsBoolean() incident_assigned?: boolean;
  @IsOptional() @IsBoolean() grade_changed?: boolean;
  @IsOptional() @IsBoolean() task_assigned?: boolean;
  @IsOptional() @IsBoolean() reporting_deadline?: boolean;
  @IsOptional() @IsBoolean() sla_breach?: boolean;
  @IsOptional() @IsBoolean() incident_closed?: boolean;
  @IsOptional() @IsBoolean() digest?: boolean;
}

class PreferencesDto {
  @ApiPropertyOptional({ description: 'Receive new-incident mail as the analyst on duty (analysts and administrators)' })
  @IsOptional()
  @IsBoolean()
  onDuty?: boolean;
  @ApiPropertyOptional({ description: `Kinds to receive (true) or mute (false); kinds left out keep their setting. Kinds: ${PREFERENCE_KINDS.join(', ')}` })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => KindSwitches)
  kinds?: KindSwitches;
}

class OutboxQuery {
  @IsOptional() @IsIn(OUTBOX_STATUSES) status?: OutboxStatus;
  @IsOptional() @IsIn([...PREFERENCE_KINDS]) kind?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) offset?: number;
}

class TestMailDto {
  @ApiPropertyOptional({ description: 'Recipient; your own address when left out' }) @IsOptional() @IsEmail() @MaxLength(254) to?: string;
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly outbox: OutboxService,
  ) {}

  /** Your own notification preferences (and the address and language mail goes out with). */
  @Get('preferences')
  @Access.roles(...ROLES)
  preferences(@CurrentPrincipal() principal: RequestPrincipal) {
    return this.notifications.preferences(principal.id);
  }

  @Put('preferences')
  @Access.roles(...ROLES)
  updatePreferences(@Body() dto: PreferencesDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    // The DTO instance carries every declared switch, the ones not sent as undefined.
    const kinds = dto.kinds && Object.fromEntries(Object.entries(dto.kinds).filter(([, on]) => on !== undefined));
    return this.notifications.updatePreferences(principal.id, { onDuty: dto.onDuty, kinds }, { principal, sourceIp });
  }

  /** Every mail written, newest first, with its delivery state; the SMTP settings without the password. */
  @Get('outbox')
  @Access.roles('admin')
  list(@Query() query: OutboxQuery) {
    return this.outbox.list(query);
  }

  @Post('outbox/:id/retry')
  @HttpCode(200)
  @Access.roles('admin')
  retry(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.outbox.retry(id, { principal, sourceIp });
  }

  /** Sends a message straight away to check the SMTP settings; 502 carries the server's refusal. */
  @Post('test')
  @HttpCode(200)
  @Access.roles('admin')
  test(@Body() dto: TestMailDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.notifications.sendTest(dto.to, principal.id, { principal, sourceIp });
  }
}
