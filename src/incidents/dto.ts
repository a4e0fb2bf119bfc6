import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CATEGORY_IDS, type CategoryId } from './core/categories.js';
import { GRADES, POPULATION_SCOPES, PORTAL_LEVELS, QUALITATIVE_CRITERIA, type GradeOrUnrated, type PopulationScope, type PortalLevel, type QualitativeCriterion, type ThresholdGrade } from './core/grading.js';
import { REPORT_STATUSES, type ReportStatus } from './core/report.js';
import { INCIDENT_STATES, PROTECT_STATES, type WorkflowState } from './core/workflow.js';
import { INCIDENT_SORT_EXPRESSIONS, type Priority } from './incidents.repository.js';
import { TASK_STATUSES, type TaskStatus } from './incidents.service.js';

const GRADE_IDS = ['unrated', ...GRADES.map((g) => g.id)] as GradeOrUnrated[];
const PRIORITIES: Priority[] = ['p1', 'p2', 'p3', 'p4'];
const STATES = [...INCIDENT_STATES, ...PROTECT_STATES] as WorkflowState[];
const INCIDENT_SORTS = Object.keys(INCIDENT_SORT_EXPRESSIONS).flatMap((column) => [`${column}:asc`, `${column}:desc`]);

export class IncidentListQuery {
  @IsOptional() @IsIn(['incident', 'protect']) kind?: 'incident' | 'protect';
  @IsOptional() @IsIn(STATES) state?: string;
  @IsOptional() @IsIn(GRADE_IDS) grade?: string;
  @ApiPropertyOptional({ description: 'true: only tickets still being worked; false: only closed ones' })
  @IsOptional()
  @IsIn(['true', 'false'])
  open?: 'true' | 'false';
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  @IsOptional() @IsUUID() assetId?: string;
  @ApiPropertyOptional({ description: '`column:asc|desc`, one of the columns the list shows; the newest first when absent' })
  @IsOptional()
  @IsIn(INCIDENT_SORTS)
  sort?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) offset?: number;
}

export class CreateIncidentDto {
  @ApiProperty() @IsString() @Length(1, 300) title: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20000) description?: string;
  @ApiProperty({ enum: CATEGORY_IDS, description: 'GB/T 20986-2023 category' }) @IsIn(CATEGORY_IDS) category: CategoryId;
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsUUID('all', { each: true }) assetIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) alertIds?: string[];
  @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @IsOptional() @IsUUID() assigneeId?: string;
  @ApiPropertyOptional({ description: 'When the incident was discovered; now when left out' })
  @IsOptional()
  @IsISO8601({ strict: true })
  detectedAt?: string;
}

export class DefacementDto {
  @IsOptional() @IsInt() @Min(0) @Max(525600) homePageMinutes?: number;
  @IsOptional() @IsInt() @Min(0) @Max(525600) otherPagesMinutes?: number;
  @IsOptional() @IsInt() @Min(0) reposts?: number;
  @IsOptional() @IsInt() @Min(0) views?: number;
}

export class AssetGradingFactsDto {
  @IsUUID() assetId: string;
  @IsOptional() @IsInt() @Min(0) @Max(525600) wholeOutageMinutes?: number;
  @IsOptional() @IsInt() @Min(0) @Max(525600) mainFunctionOutageMinutes?: number;
  @ApiPropertyOptional({ description: 'Administrative level of the portal, news site or platform' }) @IsOptional() @IsIn(PORTAL_LEVELS) portal?: PortalLevel;
  @ApiPropertyOptional({ description: 'Illegal content placed on the site (needs portal)' }) @IsOptional() @ValidateNested() @Type(() => DefacementDto) defacement?: DefacementDto;
}

export class PopulationShareDto {
  @IsIn(POPULATION_SCOPES) scope: PopulationScope;
  @IsInt() @Min(0) @Max(100) percent: number;
}

export class QualitativeDto {
  @IsIn(QUALITATIVE_CRITERIA) criterion: QualitativeCriterion;
  @IsIn(['especially_major', 'major', 'relatively_major']) grade: ThresholdGrade;
  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class GradingFactsDto {
  @ApiPropertyOptional({ description: 'Data held by the assets was leaked, tampered with or stolen' }) @IsOptional() @IsBoolean() dataCompromised?: boolean;
  @ApiPropertyOptional({ description: 'People whose personal information was exposed' }) @IsOptional() @IsInt() @Min(0) personalDataExposed?: number;
  @IsOptional() @IsInt() @Min(0) peopleWithoutServices?: number;
  @IsOptional() @IsInt() @Min(0) directLossYuan?: number;
  @IsOptional() @ValidateNested() @Type(() => PopulationShareDto) populationShare?: PopulationShareDto;
  @ApiPropertyOptional({ description: "The annex's qualitative criteria the analyst judged met" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => QualitativeDto)
  qualitative?: QualitativeDto[];
  @ApiPropertyOptional({ description: 'A crime is suspected: adds the task of reporting it to the police (报案, Art. 4)' }) @IsOptional() @IsBoolean() crimeSuspected?: boolean;
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => AssetGradingFactsDto) assets?: AssetGradingFactsDto[];
}

export class UpdateIncidentDto {
  @IsOptional() @IsString() @Length(1, 300) title?: string;
  @IsOptional() @IsString() @MaxLength(20000) description?: string;
  @IsOptional() @IsIn(CATEGORY_IDS) category?: CategoryId;
  @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @ApiPropertyOptional({ nullable: true, description: 'null unassigns' }) @ValidateIf((_, v) => v !== null && v !== undefined) @IsUUID() assigneeId?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) watcherIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsUUID('all', { each: true }) assetIds?: string[];
  @IsOptional() @ValidateNested() @Type(() => GradingFactsDto) gradingFacts?: GradingFactsDto;
}

export class ReviewDto {
  @ApiProperty({ description: '根本原因 root cause' }) @IsString() @MaxLength(20000) rootCause: string;
  @ApiProperty({ description: '经验教训 lessons' }) @IsString() @MaxLength(20000) lessons: string;
  @ApiProperty({ description: '防护措施 protective actions; each becomes a protect ticket' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  protectiveActions: string[];
}

export class TransitionDto {
  @ApiProperty({ enum: STATES }) @IsIn(STATES) to: WorkflowState;
  @IsOptional() @IsString() @MaxLength(5000) reason?: string;
  @IsOptional() @ValidateNested() @Type(() => ReviewDto) review?: ReviewDto;
  @ApiPropertyOptional({ description: 'Key or id of the incident this one duplicates' }) @IsOptional() @IsString() @MaxLength(100) duplicateOf?: string;
  @ApiPropertyOptional({ description: 'Close although the rules fired within the quiet period (needs a reason)' }) @IsOptional() @IsBoolean() overrideQuietPeriod?: boolean;
}

export class GradeDto {
  @ApiProperty({ enum: GRADE_IDS }) @IsIn(GRADE_IDS) grade: GradeOrUnrated;
  @ApiProperty({ description: 'Why the analyst departs from the proposal' }) @IsString() @Length(1, 5000) reason: string;
}

export class AlertIdsDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @IsUUID('all', { each: true }) alertIds: string[];
}

export class MergeDto {
  @ApiProperty({ description: 'Key or id of the incident to merge into' }) @IsString() @Length(1, 100) into: string;
}

export class CommentDto {
  @IsString() @Length(1, 10000) body: string;
}

export class TaskDto {
  @IsString() @Length(1, 300) title: string;
  @IsOptional() @IsString() @MaxLength(5000) description?: string;
  @IsOptional() @IsUUID() assigneeId?: string;
  @IsOptional() @IsIn(['analyst', 'system_owner']) assigneeRole?: 'analyst' | 'system_owner';
  @IsOptional() @IsISO8601({ strict: true }) dueAt?: string;
}

export class TaskPatchDto {
  @IsOptional() @IsIn(TASK_STATUSES) status?: TaskStatus;
  @ValidateIf((_, v) => v !== null && v !== undefined) @IsUUID() assigneeId?: string | null;
  @ValidateIf((_, v) => v !== null && v !== undefined) @IsISO8601({ strict: true }) dueAt?: string | null;
  @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class RansomwareDto {
  @IsOptional() @IsString() @MaxLength(200) amount?: string;
  @IsOptional() @IsString() @MaxLength(200) paymentMethod?: string;
  @IsOptional() @IsString() @MaxLength(100) date?: string;
}

export class LeadsDto {
  @IsOptional() @IsString() @MaxLength(5000) attacker?: string;
  @IsOptional() @IsString() @MaxLength(5000) path?: string;
  @IsOptional() @IsString() @MaxLength(5000) vulnerabilities?: string;
}

/** The parts of the initial report people write; the rest Taishi fills from the incident. */
export class ReportContentDto {
  @IsOptional() @IsString() @MaxLength(300) unit?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) systems?: string[];
  @IsOptional() @IsString() @MaxLength(500) discoveryPlace?: string;
  @IsOptional() @IsString() @MaxLength(10000) impact?: string;
  @IsOptional() @IsString() @MaxLength(10000) measuresTaken?: string;
  @IsOptional() @IsString() @MaxLength(10000) measuresEffect?: string;
  @IsOptional() @ValidateNested() @Type(() => RansomwareDto) ransomware?: RansomwareDto;
  @IsOptional() @IsString() @MaxLength(10000) furtherHarm?: string;
  @IsOptional() @IsString() @MaxLength(10000) preliminaryCause?: string;
  @IsOptional() @ValidateNested() @Type(() => LeadsDto) leads?: LeadsDto;
  @IsOptional() @IsString() @MaxLength(10000) plannedMeasures?: string;
  @IsOptional() @IsString() @MaxLength(10000) helpRequested?: string;
  @ApiPropertyOptional({ description: 'Art. 7 (7) 现场保护情况' }) @IsOptional() @IsString() @MaxLength(10000) sceneProtection?: string;
  @ApiPropertyOptional({ description: 'Art. 7 (8) 其他' }) @IsOptional() @IsString() @MaxLength(10000) otherMatters?: string;
}

export class SummaryDto {
  @IsOptional() @IsString() @MaxLength(20000) cause?: string;
  @IsOptional() @IsString() @MaxLength(20000) measures?: string;
  @IsOptional() @IsString() @MaxLength(20000) harm?: string;
  @IsOptional() @IsString() @MaxLength(20000) accountability?: string;
  @IsOptional() @IsString() @MaxLength(20000) remediation?: string;
  @IsOptional() @IsString() @MaxLength(20000) lessons?: string;
}

export class PiplContentDto {
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) piTypes?: string[];
  @IsOptional() @IsString() @MaxLength(10000) cause?: string;
  @IsOptional() @IsString() @MaxLength(10000) possibleHarm?: string;
  @IsOptional() @IsString() @MaxLength(10000) remedies?: string;
  @IsOptional() @IsString() @MaxLength(10000) individualSteps?: string;
  @IsOptional() @IsString() @MaxLength(1000) contact?: string;
}

export class PiplAuthorityDto {
  @IsString() @Length(1, 300) name: string;
  @IsISO8601({ strict: true }) notifiedAt: string;
}

export class PiplIndividualsDto {
  @IsBoolean() notified: boolean;
  @ValidateIf((o) => o.notified === true) @IsISO8601({ strict: true }) notifiedAt?: string;
  @ValidateIf((o) => o.notified === true) @IsString() @Length(1, 300) channel?: string;
  @ApiPropertyOptional({ description: 'When individuals were not notified: the measures that effectively avoided harm' })
  @ValidateIf((o) => o.notified === false)
  @IsString()
  @Length(1, 5000)
  harmAvoidedBy?: string;
}

export class PiplDto {
  @ValidateNested() @Type(() => PiplContentDto) content: PiplContentDto;
  @IsOptional() @ValidateNested() @Type(() => PiplAuthorityDto) authority?: PiplAuthorityDto;
  @IsOptional() @ValidateNested() @Type(() => PiplIndividualsDto) individuals?: PiplIndividualsDto;
}

export class ReportPatchDto {
  @IsOptional() @ValidateNested() @Type(() => ReportContentDto) content?: ReportContentDto;
  @IsOptional() @ValidateNested() @Type(() => SummaryDto) summary?: SummaryDto;
  @IsOptional() @ValidateNested() @Type(() => PiplDto) pipl?: PiplDto;
  @IsOptional() @IsIn(REPORT_STATUSES) status?: ReportStatus;
  @ApiPropertyOptional({ description: 'Why the report is submitted with mandatory items missing (e.g. items (1) and (2) first, the rest not known yet)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  missingReason?: string;
}

export class MergeManyDto {
  @ApiProperty({ description: 'Key or id of the incident the others are merged into' }) @IsString() @Length(1, 100) into: string;
  @ApiProperty({ description: 'Keys or ids of the incidents to merge' }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) incidents: string[];
}

export class SplitDto {
  @ApiProperty({ description: 'Key or id of an incident merged into this one, to split back out' }) @IsString() @Length(1, 100) incident: string;
}

export class SendAlertDto {
  @ApiPropertyOptional({ description: 'Key or id of an existing incident; a new incident when left out' }) @IsOptional() @IsString() @MaxLength(100) incidentId?: string;
  @IsOptional() @IsString() @Length(1, 300) title?: string;
  @IsOptional() @IsIn(CATEGORY_IDS) category?: CategoryId;
}

export class MeanTimesQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(36) months?: number;
}
