import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { NoControlCharacters } from '../audit/index.js';
import { IsTimeZone } from '../common/index.js';
import { API_KEY_SCOPES, ROLES, type ApiKeyScope, type Role } from '../shared/principal.js';

export class LoginDto {
  @ApiProperty() @IsString() @Length(1, 100) @NoControlCharacters() username: string;
  @ApiProperty() @IsString() @Length(1, 200) password: string;
  @ApiPropertyOptional({ description: 'Browser login: the token goes into an HttpOnly cookie instead of the answer (needs the header X-Taishi-CSRF: 1)' })
  @IsOptional()
  @IsBoolean()
  cookie?: boolean;
}

const USERNAME = /^[A-Za-z0-9_.@-]{2,64}$/;

export class CreateUserDto {
  @ApiProperty({ example: 'zhang.wei' }) @Matches(USERNAME, { message: 'username must be 2-64 letters, digits or . _ @ -' }) username: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) displayName?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
  @ApiPropertyOptional({ description: 'Required for role owner' })
  @ValidateIf((o: CreateUserDto) => o.role === 'owner' || o.department !== undefined)
  @IsString()
  @Length(1, 100)
  @NoControlCharacters()
  department?: string;
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12) @MaxLength(200) password: string;
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] }) @IsOptional() @IsIn(['zh-CN', 'en']) language?: 'zh-CN' | 'en';
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) displayName?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) @NoControlCharacters() department?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() disabled?: boolean;
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] }) @IsOptional() @IsIn(['zh-CN', 'en']) language?: 'zh-CN' | 'en';
}

export class ResetPasswordDto {
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12) @MaxLength(200) password: string;
}

export class UpdateMeDto {
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] }) @IsOptional() @IsIn(['zh-CN', 'en']) language?: 'zh-CN' | 'en';
  @ApiPropertyOptional({ description: 'Zone the console shows times in; null returns to the default (Asia/Shanghai)', example: 'Asia/Shanghai', nullable: true })
  @ValidateIf((o: UpdateMeDto) => o.timeZone !== null)
  @IsOptional()
  @IsTimeZone()
  timeZone?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) displayName?: string;
  @ApiPropertyOptional() @ValidateIf((o: UpdateMeDto) => o.newPassword !== undefined) @IsString() currentPassword?: string;
  @ApiPropertyOptional({ minLength: 12 }) @IsOptional() @IsString() @MinLength(12) @MaxLength(200) newPassword?: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'syslog-relay-1' }) @IsString() @Length(1, 100) name: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) @IsArray() @ArrayNotEmpty() @IsIn(API_KEY_SCOPES, { each: true }) scopes: ApiKeyScope[];
}
