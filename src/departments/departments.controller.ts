import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { NoControlCharacters } from '../audit/index.js';
import { Access } from '../common/index.js';
import { ROLES, type Principal } from '../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../auth/index.js';
import { DepartmentsService } from './departments.service.js';

export class DepartmentNameDto {
  @ApiProperty({ example: '水务局' }) @IsString() @Length(1, 100) @NoControlCharacters() name: string;
}

/** Everyone reads the list (forms pick from it); administrators keep it. */
@ApiTags('departments')
@ApiBearerAuth()
@Controller('api/departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Get()
  @Access.roles(...ROLES)
  list() {
    return this.departments.list();
  }

  @Post()
  @Access.roles('admin')
  add(@Body() dto: DepartmentNameDto, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.departments.add(dto.name.trim(), { principal, sourceIp });
  }

  @Patch(':name')
  @Access.roles('admin')
  rename(@Param('name') name: string, @Body() dto: DepartmentNameDto, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.departments.rename(name, dto.name.trim(), { principal, sourceIp });
  }

  @Delete(':name')
  @HttpCode(204)
  @Access.roles('admin')
  remove(@Param('name') name: string, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.departments.remove(name, { principal, sourceIp });
  }
}
