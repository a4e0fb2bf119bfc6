import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/index.js';
import { ROLES, type RequestPrincipal } from '../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../auth/index.js';
import type { PiplNotice } from './core/report.js';
import {
  AlertIdsDto,
  CommentDto,
  CreateIncidentDto,
  GradeDto,
  IncidentListQuery,
  MeanTimesQuery,
  MergeDto,
  MergeManyDto,
  SplitDto,
  ReportPatchDto,
  SendAlertDto,
  TaskDto,
  TaskPatchDto,
  TransitionDto,
  UpdateIncidentDto,
} from './dto.js';
import { IncidentMerge } from './incident-merge.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentWorkflow } from './incident-workflow.js';
import type { IncidentSortKey } from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';
import { ReportingService } from './reporting.service.js';
import { Clock } from '../shared/index.js';

/** Security staff work incidents; compliance officers read them all and own the reports. */
const WORK = ['admin', 'analyst'] as const;
const REPORTS = ['admin', 'analyst', 'compliance'] as const;
const optionalDate = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api/incidents')
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly queries: IncidentQueries,
    private readonly merges: IncidentMerge,
    private readonly workflow: IncidentWorkflow,
    private readonly reporting: ReportingService,
    private readonly clock: Clock,
  ) {}

  /** Owners see the tickets that touch their department's systems. */
  @Get()
  @Access.roles(...ROLES)
  list(@Query() q: IncidentListQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    const [by, dir] = (q.sort ?? '').split(':') as [IncidentSortKey, 'asc' | 'desc'];
    return this.queries.list({ ...q, open: q.open === undefined ? undefined : q.open === 'true', sort: q.sort ? { by, dir } : undefined }, principal);
  }

  /** Every running reporting clock, most urgent first. */
  @Get('clocks')
  @Access.roles(...REPORTS)
  clocks(@CurrentPrincipal() principal: RequestPrincipal) {
    return this.reporting.clocks(this.clock.now(), principal);
  }

  /** Mean time to acknowledge and to recover, per grade and month. */
  @Get('stats/mean-times')
  @Access.roles(...REPORTS)
  meanTimes(@Query() q: MeanTimesQuery) {
    return this.queries.meanTimes(q.months ?? 12);
  }

  @Post()
  @Access.roles(...WORK)
  create(@Body() dto: CreateIncidentDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.create({ ...dto, detectedAt: dto.detectedAt ? new Date(dto.detectedAt) : undefined }, { principal, sourceIp });
  }

  @Get(':id')
  @Access.roles(...ROLES)
  get(@Param('id') id: string, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.queries.detail(id, principal);
  }

  @Patch(':id')
  @Access.roles(...WORK)
  update(@Param('id') id: string, @Body() dto: UpdateIncidentDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.update(id, dto, { principal, sourceIp });
  }

  /** 409 with the allowed next states when the step is illegal; 400 when it lacks a reason or review. */
  @Post(':id/transitions')
  @HttpCode(200)
  @Access.roles(...WORK)
  transition(@Param('id') id: string, @Body() dto: TransitionDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.workflow.transition(id, dto, { principal, sourceIp });
  }

  @Post(':id/grade')
  @HttpCode(200)
  @Access.roles(...WORK)
  grade(@Param('id') id: string, @Body() dto: GradeDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.setGrade(id, dto, { principal, sourceIp });
  }

  /** Drop the override: the grade follows the proposal again. */
  @Post(':id/grade/proposal')
  @HttpCode(200)
  @Access.roles(...WORK)
  acceptProposal(@Param('id') id: string, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.acceptProposal(id, { principal, sourceIp });
  }

  @Post(':id/alerts')
  @HttpCode(200)
  @Access.roles(...WORK)
  linkAlerts(@Param('id') id: string, @Body() dto: AlertIdsDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.linkAlerts(id, dto.alertIds, { principal, sourceIp });
  }

  @Post(':id/merge')
  @HttpCode(200)
  @Access.roles(...WORK)
  merge(@Param('id') id: string, @Body() dto: MergeDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.merges.merge(dto.into, [id], { principal, sourceIp });
  }

  /** Several incidents into one at once (the list's "merge selected"). */
  @Post('merge')
  @HttpCode(200)
  @Access.roles(...WORK)
  mergeMany(@Body() dto: MergeManyDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.merges.merge(dto.into, dto.incidents, { principal, sourceIp });
  }

  /** Splits an incident merged into this one back out. */
  @Post(':id/split')
  @HttpCode(200)
  @Access.roles(...WORK)
  split(@Param('id') id: string, @Body() dto: SplitDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.merges.split(id, dto.incident, { principal, sourceIp });
  }

  @Post(':id/comments')
  @Access.roles(...ROLES)
  comment(@Param('id') id: string, @Body() dto: CommentDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.comment(id, dto.body, { principal, sourceIp });
  }

  @Post(':id/tasks')
  @Access.roles(...WORK)
  addTask(@Param('id') id: string, @Body() dto: TaskDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.addTask(id, { ...dto, dueAt: optionalDate(dto.dueAt) ?? undefined }, { principal, sourceIp });
  }

  /** Owners complete the tasks assigned to them; analysts manage all tasks. */
  @Patch(':id/tasks/:taskId')
  @Access.roles('admin', 'analyst', 'owner')
  updateTask(
    @Param('id') id: string,
    @Param('taskId', ParseUUIDPipe) taskId: string,
    @Body() dto: TaskPatchDto,
    @CurrentPrincipal() principal: RequestPrincipal,
    @SourceIp() sourceIp: string | null,
  ) {
    return this.incidents.updateTask(id, taskId, { ...dto, dueAt: optionalDate(dto.dueAt) }, { principal, sourceIp });
  }

  @Get(':id/report')
  @Access.roles(...REPORTS)
  report(@Param('id') id: string, @CurrentPrincipal() principal: RequestPrincipal) {
    return this.reporting.get(id, principal);
  }

  @Patch(':id/report')
  @Access.roles(...REPORTS)
  updateReport(@Param('id') id: string, @Body() dto: ReportPatchDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.reporting.update(id, { ...dto, pipl: dto.pipl as unknown as PiplNotice | undefined }, { principal, sourceIp });
  }
}

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/alerts')
export class AlertToIncidentController {
  constructor(private readonly incidents: IncidentsService) {}

  /** Sends an alert to an existing incident, or opens a new one from it. */
  @Post(':id/incident')
  @HttpCode(200)
  @Access.roles(...WORK)
  send(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SendAlertDto, @CurrentPrincipal() principal: RequestPrincipal, @SourceIp() sourceIp: string | null) {
    return this.incidents.sendAlert(id, dto, { principal, sourceIp });
  }
}
