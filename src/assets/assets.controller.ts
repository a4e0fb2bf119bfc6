import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../common/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { ROLES, type Principal } from '../shared/principal.js';
import { CurrentPrincipal, SourceIp } from '../auth/index.js';
import { assetErrors } from './errors.js';
import { AssetsService } from './assets.service.js';
import { AssetExportQuery, AssetImportQuery, AssetInputDto, AssetListQuery, AssetUpdateDto, AssetWriteQuery } from './dto.js';

/** Owners manage their own department's systems; analysts and compliance officers read them all. */
const MANAGE = ['admin', 'owner'] as const;

@ApiTags('assets')
@ApiBearerAuth()
@Controller('api/assets')
export class AssetsController {
  constructor(
    private readonly assets: AssetsService,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
  ) {}

  /** What the asset form says an empty interval falls back to. */
  @Get('defaults')
  @Access.roles(...ROLES)
  defaults() {
    return { expectedIntervalMinutes: this.settings.TAISHI_EXPECTED_INTERVAL_MINUTES };
  }

  @Get()
  @Access.roles(...ROLES)
  list(@Query() query: AssetListQuery, @CurrentPrincipal() principal: Principal) {
    return this.assets.list(query, principal);
  }

  @Get('export')
  @Access.roles(...ROLES)
  async export(@Query() query: AssetExportQuery, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const { body, contentType, extension } = await this.assets.export(principal, query.format ?? 'csv', query.headers ?? 'en', query.encoding ?? 'utf-8');
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Disposition', `attachment; filename="taishi-assets-${new Date().toISOString().slice(0, 10)}.${extension}"`);
    res.send(body);
  }

  /**
   * Body: the file itself (text/csv, application/json, or application/octet-stream with ?format=).
   * UTF-8 and GBK are told apart automatically.
   */
  @Post('import')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Access.roles(...MANAGE)
  import(@Query() query: AssetImportQuery, @Req() req: Request, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw assetErrors.import_empty_body();
    const type = req.headers['content-type'] ?? '';
    const format = query.format ?? (type.includes('json') ? 'json' : type.includes('csv') || type.startsWith('text/') ? 'csv' : undefined);
    if (!format) throw assetErrors.import_format_unknown();
    return this.assets.import(req.body, format, query.dryRun === 'true', { principal, sourceIp }, undefined, {
      allowOverlap: query.allowOverlap === 'true',
      addDepartments: query.addDepartments === 'true',
    });
  }

  @Get(':id')
  @Access.roles(...ROLES)
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.assets.get(id, principal);
  }

  @Post()
  @Access.roles(...MANAGE)
  create(@Body() dto: AssetInputDto, @Query() query: AssetWriteQuery, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.assets.create(dto, { principal, sourceIp }, { allowOverlap: query.allowOverlap === 'true' });
  }

  @Patch(':id')
  @Access.roles(...MANAGE)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AssetUpdateDto, @Query() query: AssetWriteQuery, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.assets.update(id, dto, { principal, sourceIp }, { allowOverlap: query.allowOverlap === 'true' });
  }

  @Delete(':id')
  @HttpCode(204)
  @Access.roles(...MANAGE)
  remove(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.assets.remove(id, { principal, sourceIp });
  }
}
