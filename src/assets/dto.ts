import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
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
  ValidateNested,
} from 'class-validator';
import { NoControlCharacters } from '../audit/index.js';
import { ASSET_TYPES, CRITICALITIES, DATA_LEVELS, EXPECTED_INTERVAL_MINUTES, LIFECYCLES, PERSONAL_DATA, STORAGE_LOCATIONS } from './vocabulary.js';

const DATE_ONLY = { strict: true, strictSeparator: true };

export class ContactDto {
  @ApiProperty() @IsString() @Length(1, 100) name: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) phone?: string;
}

export class MlpsDto {
  @ApiProperty({ minimum: 1, maximum: 5, description: '等级保护级别 MLPS level' }) @IsInt() @Min(1) @Max(5) level: number;
  @ApiPropertyOptional({ description: '备案证明编号 filing certificate number' }) @IsOptional() @IsString() @MaxLength(100) filingNumber?: string;
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @IsISO8601(DATE_ONLY) filingDate?: string;
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @IsISO8601(DATE_ONLY) lastAssessmentDate?: string;
}

export class CiiDto {
  @ApiProperty({ description: '关键信息基础设施 designated as CII' }) @IsBoolean() designated: boolean;
  @ApiPropertyOptional({ description: 'designation reference' }) @IsOptional() @IsString() @MaxLength(200) designationRef?: string;
}

export class DataHeldDto {
  @ApiPropertyOptional({ isArray: true, type: String }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(100, { each: true }) categories?: string[];
  @ApiPropertyOptional({ enum: DATA_LEVELS }) @IsOptional() @IsIn(DATA_LEVELS) level?: (typeof DATA_LEVELS)[number];
  @ApiPropertyOptional({ enum: PERSONAL_DATA }) @IsOptional() @IsIn(PERSONAL_DATA) personal?: (typeof PERSONAL_DATA)[number];
  @ApiPropertyOptional({ description: 'approximate number of people whose personal data is held' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000_000)
  subjects?: number;
}

/** What a system owner declares about a system; the API and the CSV/JSON import share it. */
export class AssetInputDto {
  @ApiProperty({ example: '县政务服务门户' }) @IsString() @Length(1, 200) @NoControlCharacters() name: string;
  @ApiProperty({ enum: ASSET_TYPES }) @IsIn(ASSET_TYPES) type: (typeof ASSET_TYPES)[number];
  @ApiPropertyOptional({ description: 'Owning department; defaults to the owner’s own' }) @IsOptional() @IsString() @Length(1, 100) @NoControlCharacters() department?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() contactUserId?: string;
  @ApiPropertyOptional({ type: ContactDto }) @IsOptional() @ValidateNested() @Type(() => ContactDto) contact?: ContactDto;
  @ApiPropertyOptional({ type: ContactDto }) @IsOptional() @ValidateNested() @Type(() => ContactDto) securityContact?: ContactDto;
  @ApiPropertyOptional({ isArray: true, type: String, description: 'IPv4/IPv6 addresses, CIDR blocks, host names, MAC addresses' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  addresses?: string[];
  @ApiPropertyOptional({ example: '政务外网' }) @IsOptional() @IsString() @MaxLength(100) @NoControlCharacters() zone?: string;
  @ApiPropertyOptional({ type: MlpsDto }) @IsOptional() @ValidateNested() @Type(() => MlpsDto) mlps?: MlpsDto;
  @ApiPropertyOptional({ type: CiiDto }) @IsOptional() @ValidateNested() @Type(() => CiiDto) cii?: CiiDto;
  @ApiPropertyOptional({ type: DataHeldDto }) @IsOptional() @ValidateNested() @Type(() => DataHeldDto) data?: DataHeldDto;
  @ApiPropertyOptional({ enum: STORAGE_LOCATIONS }) @IsOptional() @IsIn(STORAGE_LOCATIONS) storageLocation?: (typeof STORAGE_LOCATIONS)[number];
  @ApiPropertyOptional({ enum: CRITICALITIES }) @IsOptional() @IsIn(CRITICALITIES) criticality?: (typeof CRITICALITIES)[number];
  @ApiPropertyOptional({ enum: LIFECYCLES }) @IsOptional() @IsIn(LIFECYCLES) lifecycle?: (typeof LIFECYCLES)[number];
  @ApiPropertyOptional({ isArray: true, type: String }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(50, { each: true }) @NoControlCharacters({ each: true }) tags?: string[];
  // The range is the service's check, so a refusal says the bounds in words (asset.expected_interval_out_of_range).
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: EXPECTED_INTERVAL_MINUTES.min,
    maximum: EXPECTED_INTERVAL_MINUTES.max,
    description: '预期上报间隔（分钟）: how often the asset is expected to send events, e.g. 15 for a camera heartbeat; null or absent: the default (TAISHI_EXPECTED_INTERVAL_MINUTES)',
  })
  @IsOptional()
  @IsInt()
  expectedIntervalMinutes?: number | null;
}

export class AssetUpdateDto extends PartialType(AssetInputDto) {}

export class AssetListQuery {
  @IsOptional() @IsString() department?: string;
  @IsOptional() @IsIn(ASSET_TYPES) type?: string;
  @IsOptional() @IsString() zone?: string;
  @IsOptional() @IsIn(LIFECYCLES) lifecycle?: string;
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) offset?: number;
}

export class AssetExportQuery {
  @IsOptional() @IsIn(['csv', 'json']) format?: 'csv' | 'json';
  @IsOptional() @IsIn(['en', 'zh']) headers?: 'en' | 'zh';
  @IsOptional() @IsIn(['utf-8', 'gbk']) encoding?: 'utf-8' | 'gbk';
}

/** `allowOverlap=true`: an administrator registers addresses overlapping another department's as fallbacks. */
export class AssetWriteQuery {
  @IsOptional() @IsIn(['true', 'false']) allowOverlap?: 'true' | 'false';
}

export class AssetImportQuery extends AssetWriteQuery {
  @IsOptional() @IsIn(['true', 'false']) dryRun?: 'true' | 'false';
  @IsOptional() @IsIn(['csv', 'json']) format?: 'csv' | 'json';
  @IsOptional() @IsIn(['true', 'false']) addDepartments?: 'true' | 'false';
}
