import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../common/index.js';
import { ROLES, type RequestPrincipal } from '../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../auth/index.js';
import { organisationNamed, SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { AttestationsService } from './attestations.service.js';
import { ControlCatalogue } from './control-catalogue.js';
import {
  AttestationListQuery,
  AttestationUploadQuery,
  ComplianceRecordDto,
  FindingListQuery,
  FindingTransitionDto,
  ProfileInputDto,
  ProfileUpdateDto,
  ReportQuery,
  ResultsQuery,
  RunListQuery,
  StartRunDto,
} from './dto.js';
import { FindingsService } from './findings.service.js';
import { ProfilesService } from './profiles.service.js';
import { RecordsService } from './records.service.js';
import { RunsService, visibleRun } from './runs.service.js';

/** Compliance officers and admins change things; analysts read everything; owners read their own department's part. */
const WRITE = ['admin', 'compliance'] as const;
const READ = ['admin', 'compliance', 'analyst'] as const;


@ApiTags('compliance')
@ApiBearerAuth()
@Controller('api/compliance')
export class ComplianceController {
  constructor(
    private readonly catalogue: ControlCatalogue,
    private readonly records: RecordsService,
    private readonly profiles: ProfilesService,
    private readonly runs: RunsService,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
  ) {}

  /** The name reports carry, and whether anyone set it: the console asks the admin to, while it is the placeholder. */
  @Get('organisation')
  @Access.roles(...ROLES)
  organisation() {
    return { name: this.settings.TAISHI_ORGANISATION_NAME, named: organisationNamed(this.settings) };
  }

  /** The control catalogue as loaded now. */
  @Get('controls')
  @Access.roles(...ROLES)
  controls() {
    return this.catalogue.load().map(({ file: _file, ...control }) => control);
  }

  /** What has been recorded about an asset for the audits (emergency plan, PIA, data-security lead, ...). */
  @Get('assets/:id/record')
  @Access.roles(...ROLES)
  record(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.records.get(id, principal);
  }

  /** Owners record their own department's systems; fields given replace, null erases. */
  @Patch('assets/:id/record')
  @Access.roles('admin', 'compliance', 'owner')
  updateRecord(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ComplianceRecordDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.records.update(id, dto, { principal, sourceIp });
  }

  @Get('profiles')
  @Access.roles(...READ)
  listProfiles() {
    return this.profiles.list();
  }

  @Get('profiles/:id')
  @Access.roles(...READ)
  getProfile(@Param('id', ParseUUIDPipe) id: string) {
    return this.profiles.get(id);
  }

  @Post('profiles')
  @Access.roles(...WRITE)
  createProfile(@Body() dto: ProfileInputDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.profiles.create(dto, { principal, sourceIp });
  }

  @Patch('profiles/:id')
  @Access.roles(...WRITE)
  updateProfile(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ProfileUpdateDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.profiles.update(id, dto, { principal, sourceIp });
  }

  @Delete('profiles/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Access.roles(...WRITE)
  removeProfile(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.profiles.remove(id, { principal, sourceIp });
  }

  /** Starts an audit; 202 at once, then follow its progress at GET runs/:id. */
  @Post('runs')
  @HttpCode(HttpStatus.ACCEPTED)
  @Access.roles(...WRITE)
  async startRun(@Body() dto: StartRunDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return (await this.runs.start(dto.profileId, 'manual', { principal, sourceIp }))!;
  }

  @Get('runs')
  @Access.roles(...ROLES)
  async listRuns(@Query() query: RunListQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    return (await this.runs.list(query)).map((run) => visibleRun(run, principal));
  }

  @Get('runs/:id')
  @Access.roles(...ROLES)
  async getRun(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal) {
    return visibleRun(await this.runs.get(id), principal);
  }

  @Get('runs/:id/results')
  @Access.roles(...ROLES)
  results(@Param('id', ParseUUIDPipe) id: string, @Query() query: ResultsQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.runs.results(id, query, principal);
  }

  /** Changes since the same profile's previous completed run. */
  @Get('runs/:id/diff')
  @Access.roles(...ROLES)
  diff(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.runs.diff(id, principal);
  }

  /** HTML to read and print (zh-CN unless lang=en), JSON or CSV to process; owners get their department's part. */
  @Get('runs/:id/report')
  @Access.roles(...ROLES)
  async report(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReportQuery, @CurrentPrincipal() principal: RequestPrincipal, @Res() res: Response) {
    const format = query.format ?? 'html';
    const report = await this.runs.report(id, principal, format, query.lang ?? 'zh-CN', query.tz);
    res.setHeader('Content-Type', report.contentType);
    res.setHeader('Content-Disposition', `${format === 'html' ? 'inline' : 'attachment'}; filename="taishi-audit-${id}.${report.extension}"`);
    res.send(report.body);
  }
}

@ApiTags('compliance')
@ApiBearerAuth()
@Controller('api/compliance/findings')
export class FindingsController {
  constructor(private readonly findings: FindingsService) {}

  @Get()
  @Access.roles(...ROLES)
  list(@Query() query: FindingListQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.findings.list(query, principal);
  }

  /** open → in_remediation → resolved, or risk_accepted with approver, reason and expiry; 409 names the moves allowed. */
  @Post(':id/transitions')
  @HttpCode(HttpStatus.OK)
  @Access.roles(...WRITE)
  transition(@Param('id', ParseUUIDPipe) id: string, @Body() dto: FindingTransitionDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.findings.transition(id, dto, { principal, sourceIp });
  }

  /** Opens a protect ticket in incidents for the remediation (once per finding). */
  @Post(':id/protect-ticket')
  @Access.roles(...WRITE)
  protectTicket(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.findings.openProtectTicket(id, { principal, sourceIp });
  }
}

@ApiTags('compliance')
@ApiBearerAuth()
@Controller('api/compliance/attestations')
export class AttestationsController {
  constructor(private readonly attestations: AttestationsService) {}

  @Get()
  @Access.roles(...READ)
  list(@Query() query: AttestationListQuery) {
    return this.attestations.list(query);
  }

  /** What the upload form says before a file is sent: the largest evidence file accepted. */
  @Get('limits')
  @Access.roles(...WRITE)
  limits() {
    return this.attestations.limits();
  }

  /**
   * Body: the evidence file itself (any type but application/json, up to TAISHI_EVIDENCE_MAX_BYTES);
   * the query says what it attests. The SHA-256 is recorded and checked on every download.
   */
  @Post()
  @Access.roles(...WRITE)
  create(@Query() query: AttestationUploadQuery, @Req() req: Request, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.attestations.create(query, req, { principal, sourceIp });
  }

  @Get(':id/evidence')
  @Access.roles(...READ)
  async evidence(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response) {
    const { view, content } = await this.attestations.evidence(id);
    res.setHeader('Content-Type', view.evidence.contentType);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(view.evidence.fileName)}`);
    res.setHeader('X-Evidence-SHA256', view.evidence.sha256);
    res.send(content);
  }
}
