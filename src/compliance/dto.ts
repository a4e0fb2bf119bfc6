import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsTimeZone } from '../common/index.js';
import { FINDING_STATUSES, type FindingStatus } from './findings-workflow.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = { message: '$property must be a date YYYY-MM-DD' };
/** A calendar date (a Beijing day), as the registry keeps them. */
const CalendarDate = (): PropertyDecorator => (target, key) => {
  IsISO8601({ strict: true }, DATE_MESSAGE)(target, key);
  Matches(DATE, DATE_MESSAGE)(target, key);
};
const CONTROL_ID = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/;

// ── compliance records of an asset ───────────────────────────────────────────────────────────

export class EmergencyPlanDto {
  @ApiPropertyOptional({ description: '预案版本 plan version' }) @IsOptional() @IsString() @MaxLength(100) version?: string;
  @ApiPropertyOptional({ format: 'date', description: '最近评审 last reviewed' }) @IsOptional() @CalendarDate() reviewedAt?: string;
  @ApiPropertyOptional({ format: 'date', description: '最近演练 last drilled' }) @IsOptional() @CalendarDate() drilledAt?: string;
}

export class DataSecurityLeadDto {
  @ApiProperty({ description: '数据安全负责人 data-security lead' }) @IsString() @Length(1, 100) name: string;
  @ApiPropertyOptional({ description: '是否为管理层成员 a member of management' }) @IsOptional() @IsBoolean() fromManagement?: boolean;
}

export class RiskAssessmentsDto {
  @ApiPropertyOptional({ format: 'date', description: '关键信息基础设施检测评估 CII risk assessment' }) @IsOptional() @CalendarDate() cii?: string;
  @ApiPropertyOptional({ format: 'date', description: '重要数据风险评估 important-data risk assessment' }) @IsOptional() @CalendarDate() importantData?: string;
}

export class AutomotiveDto {
  @ApiPropertyOptional({ description: '已记录车外人员信息匿名化 anonymisation recorded' }) @IsOptional() @IsBoolean() anonymisationRecorded?: boolean;
  @ApiPropertyOptional({ format: 'date', description: '年度报告报送日期 annual report filed on' }) @IsOptional() @CalendarDate() annualReportRecordedAt?: string;
}

export class CameraDto {
  @ApiPropertyOptional({ description: '安装在公共场所 in a public place' }) @IsOptional() @IsBoolean() publicPlace?: boolean;
  @ApiPropertyOptional({ description: '设置显著提示标识 prominent signs up' }) @IsOptional() @IsBoolean() signage?: boolean;
  @ApiPropertyOptional({ description: '用途，如 public_security purpose', example: 'public_security' }) @IsOptional() @IsString() @Length(1, 100) purpose?: string;
}

/** Every field is optional; a field given replaces what was recorded, null erases it. */
export class ComplianceRecordDto {
  @ApiPropertyOptional({ format: 'date', description: '上线日期 go-live date' }) @IsOptional() @CalendarDate() goLiveDate?: string | null;
  @ApiPropertyOptional({ format: 'date', description: '定级日期 MLPS grading date' }) @IsOptional() @CalendarDate() gradedDate?: string | null;
  @ApiPropertyOptional({ type: EmergencyPlanDto }) @IsOptional() @ValidateNested() @Type(() => EmergencyPlanDto) emergencyPlan?: EmergencyPlanDto | null;
  @ApiPropertyOptional({ type: DataSecurityLeadDto }) @IsOptional() @ValidateNested() @Type(() => DataSecurityLeadDto) dataSecurityLead?: DataSecurityLeadDto | null;
  @ApiPropertyOptional({ description: '个人信息保护影响评估编号 PIA reference' }) @IsOptional() @IsString() @Length(1, 200) piaReference?: string | null;
  @ApiPropertyOptional({ type: RiskAssessmentsDto }) @IsOptional() @ValidateNested() @Type(() => RiskAssessmentsDto) riskAssessments?: RiskAssessmentsDto | null;
  @ApiPropertyOptional({ description: '数据出境安全评估/标准合同/认证编号 export assessment reference' }) @IsOptional() @IsString() @Length(1, 200) exportAssessmentRef?: string | null;
  @ApiPropertyOptional({ type: AutomotiveDto }) @IsOptional() @ValidateNested() @Type(() => AutomotiveDto) automotive?: AutomotiveDto | null;
  @ApiPropertyOptional({ type: CameraDto }) @IsOptional() @ValidateNested() @Type(() => CameraDto) camera?: CameraDto | null;
}

// ── audit profiles and runs ──────────────────────────────────────────────────────────────────

export class ProfileInputDto {
  @ApiProperty({ example: '水务局季度检查' }) @IsString() @Length(1, 100) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string | null;
  @ApiPropertyOptional({ isArray: true, type: String, description: 'control ids; omitted or null: the whole catalogue' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(CONTROL_ID, { each: true, message: 'controlIds must be control ids such as CSL-21-LOG-RETENTION' })
  controlIds?: string[] | null;
  @ApiPropertyOptional({ isArray: true, type: String, description: 'departments whose assets are audited; omitted or null: all' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  departments?: string[] | null;
  @ApiPropertyOptional({ isArray: true, type: String, description: 'assets audited; omitted or null: all (within the departments)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  assetIds?: string[] | null;
  @ApiPropertyOptional({ description: 'cron expression in Beijing time, e.g. "0 2 * * 1" (Mondays 02:00); null: on demand only' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  schedule?: string | null;
}

export class ProfileUpdateDto extends PartialType(ProfileInputDto) {}

export class StartRunDto {
  @ApiProperty() @IsUUID() profileId: string;
}

export class RunListQuery {
  @IsOptional() @IsUUID() profileId?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export const CHECK_STATUSES = ['pass', 'fail', 'not_applicable', 'needs_attestation'] as const;

export class ResultsQuery {
  @IsOptional() @IsIn(CHECK_STATUSES) status?: (typeof CHECK_STATUSES)[number];
  @IsOptional() @Matches(CONTROL_ID) controlId?: string;
  @IsOptional() @IsString() @MaxLength(100) department?: string;
}

export class ReportQuery {
  @IsOptional() @IsIn(['html', 'json', 'csv']) format?: 'html' | 'json' | 'csv';
  @IsOptional() @IsIn(['zh-CN', 'en']) lang?: 'zh-CN' | 'en';
  /** IANA zone the report's times are written in; Asia/Shanghai when absent. */
  @IsOptional() @IsTimeZone() tz?: string;
}

// ── findings ─────────────────────────────────────────────────────────────────────────────────

export class FindingListQuery {
  @IsOptional() @IsIn(FINDING_STATUSES) status?: FindingStatus;
  @IsOptional() @Matches(CONTROL_ID) controlId?: string;
  @IsOptional() @IsString() @MaxLength(100) department?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) offset?: number;
}

export class FindingTransitionDto {
  @ApiProperty({ enum: FINDING_STATUSES }) @IsIn(FINDING_STATUSES) to: FindingStatus;
  @ApiPropertyOptional({ description: '批准接受风险的人 who accepted the risk' }) @IsOptional() @IsString() @Length(1, 100) approver?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) reason?: string;
  @ApiPropertyOptional({ format: 'date', description: 'risk accepted through this Beijing day' }) @IsOptional() @CalendarDate() expiresAt?: string;
}

// ── attestations ─────────────────────────────────────────────────────────────────────────────

/** The evidence file is the request body; what it attests is in the query. */
export class AttestationUploadQuery {
  @Matches(CONTROL_ID) controlId: string;
  @IsIn(['asset', 'organisation']) subjectType: 'asset' | 'organisation';
  @IsString() @Length(1, 100) subjectId: string;
  @IsString() @Length(1, 200) @Matches(/^[^\\/\p{Cc}]+$/u, { message: 'fileName must be a plain file name' }) fileName: string;
  @IsOptional() @CalendarDate() validUntil?: string;
  @IsOptional() @IsString() @MaxLength(1000) note?: string;
}

export class AttestationListQuery {
  @IsOptional() @Matches(CONTROL_ID) controlId?: string;
  @IsOptional() @IsString() @MaxLength(100) subjectId?: string;
}
