import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { Request } from 'express';
import { Access } from '../common/index.js';
import { readerLanguage, type RequestPrincipal } from '../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../auth/index.js';
import { ExceptionsService } from './exceptions.service.js';
import { RuleFiles } from './rule-files.js';
import { RulePackService } from './rule-pack.service.js';
import { RuleTester } from './rule-tester.js';
import { ruleErrors } from './errors.js';

class RuleToggleDto {
  @IsBoolean() enabled: boolean;
}

/** No control characters (NUL cannot even be stored); line breaks are allowed only in free text. */
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const NO_CONTROL_BUT_LINES = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
const noControl = { message: '$property 不能包含控制字符 / $property must not contain control characters' };

class RuleExceptionDto {
  @IsString() @Length(1, 200) @Matches(NO_CONTROL, noControl) ruleId: string;
  /** A dotted field of the normalized event, e.g. source.ip or user.name. */
  @Matches(/^[A-Za-z0-9_@.-]{1,100}$/) field: string;
  @IsString() @Length(1, 500) @Matches(NO_CONTROL, noControl) value: string;
  @IsString() @Length(3, 2000) @Matches(NO_CONTROL_BUT_LINES, noControl) reason: string;
  @IsISO8601() expiresAt: string;
}

class RuleTestDto {
  /** A loaded rule or correlation, enabled or not. */
  @IsOptional() @IsString() @Length(1, 200) ruleId?: string;
  /** Or a rule file's YAML, as it would be uploaded. */
  @IsOptional() @IsString() @Length(1, 200_000) yaml?: string;
  /** A JSON array of events, or one event per line: JSON objects or raw log lines. */
  @IsString() @Length(1, 2_000_000) events: string;
}

@ApiTags('rules')
@ApiBearerAuth()
@Controller('api/rules')
export class RulesController {
  constructor(
    private readonly rules: RulePackService,
    private readonly files: RuleFiles,
    private readonly tester: RuleTester,
    private readonly exceptions: ExceptionsService,
  ) {}

  @Get('exceptions')
  @Access.roles('admin', 'analyst', 'compliance')
  listExceptions() {
    return this.exceptions.list();
  }

  @Post('exceptions')
  @Access.roles('admin', 'analyst')
  createException(@Body() dto: RuleExceptionDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    if (!this.rules.status().rules.some((r) => r.id === dto.ruleId)) throw ruleErrors.not_found({ id: dto.ruleId });
    return this.exceptions.create(dto, { principal, sourceIp });
  }

  @Delete('exceptions/:id')
  @HttpCode(204)
  @Access.roles('admin', 'analyst')
  removeException(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.exceptions.remove(id, { principal, sourceIp });
  }

  /** Every rule with its state, match count and mean evaluation time; and load problems. */
  @Get()
  @Access.roles('admin', 'analyst', 'compliance')
  list(@CurrentPrincipal() principal: RequestPrincipal) {
    return this.rules.status(readerLanguage(principal));
  }

  @Patch(':id')
  @Access.roles('admin', 'analyst')
  async toggle(@Param('id') id: string, @Body() dto: RuleToggleDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    if (!this.rules.status().rules.some((r) => r.id === id)) throw ruleErrors.not_found({ id });
    await this.rules.setEnabled(id, dto.enabled, { principal, sourceIp });
    return this.rules.status(readerLanguage(principal)).rules.find((r) => r.id === id);
  }

  /** Deletes an uploaded rule (and the file it came from); shipped rules are not deleted here. */
  @Delete(':id')
  @Access.roles('admin', 'analyst')
  remove(@Param('id') id: string, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.files.deleteUploaded(id, { principal, sourceIp });
  }

  @Post('reload')
  @HttpCode(200)
  @Access.roles('admin', 'analyst')
  reload() {
    return this.rules.reload();
  }

  /** Body: a rule file's YAML. Saved under uploaded/ in the rules folder and loaded, or refused whole. */
  @Post()
  @Access.roles('admin', 'analyst')
  upload(@Req() req: Request, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    if (!Buffer.isBuffer(req.body) || !req.body.length) throw ruleErrors.body_required();
    return this.files.upload(req.body.toString('utf8'), { principal, sourceIp });
  }

  /** Which pasted events a rule matches, through the live parsing and masking; nothing is stored or raised. */
  @Post('test')
  @HttpCode(200)
  @Access.roles('admin', 'analyst')
  test(@Body() dto: RuleTestDto) {
    return this.tester.testRule(dto);
  }

  /** Body: the rule file's YAML (text/plain or application/yaml). Nothing is saved. */
  @Post('validate')
  @HttpCode(200)
  @Access.roles('admin', 'analyst')
  validate(@Req() req: Request) {
    if (!Buffer.isBuffer(req.body) || !req.body.length) throw ruleErrors.body_required();
    return this.files.validate(req.body.toString('utf8'));
  }
}
