import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import iconv from 'iconv-lite';
import { EventEmitter } from 'node:events';
import { AuditService } from '../audit/index.js';
import { DepartmentsService } from '../departments/index.js';
import { departmentScope, type Caller, type Principal } from '../shared/principal.js';
import { Database, isUniqueViolation, lockForTransaction, LockId, type Sql } from '../database/index.js';
import type { IndexedAsset } from './asset-index.js';
import type { Asset, SendingAsset } from './asset.js';
import { AssetsRepository, type AddressConflict } from './assets.repository.js';
import { assetToRow, columnOf, mapHeader, rowId, rowToInput, tableHeader, type AssetView } from './asset-table.js';
import { decodeText, parseCsv, toCsv } from './csv.js';
import { AssetInputDto, type AssetListQuery, type AssetUpdateDto } from './dto.js';
import { announceAssetChange } from './asset-change-notice.js';
import { assetErrors } from './errors.js';
import { EXPECTED_INTERVAL_MINUTES } from './vocabulary.js';
import { addressBlock, DomainError, isCatchAll, LANGUAGES, normalizeAddress, OrdinaryClaims, valueAt, type Claim, type Localised, type NormalizedAddress } from '../shared/index.js';

export interface RowError {
  row: number;
  field?: string;
  /** The column as the user's file names it (CSV header cell), or the field of a JSON import. */
  column?: string;
  /** In English; clients word it themselves from `constraint` (class-validator's name) or `code` and `params`. */
  message: string;
  constraint?: string;
  code?: string;
  params?: Readonly<Record<string, unknown>>;
}

export interface ImportReport {
  dryRun: boolean;
  encoding?: 'utf-8' | 'gb18030';
  total: number;
  valid: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Departments the import lists (or, in a dry run, would list) because it was asked to add those it names. */
  departmentsAdded: string[];
  errors: RowError[];
  /** What each row does (or would do): create, update, unchanged, or error. */
  rows: RowOutcome[];
}

export type RowAction = 'create' | 'update' | 'unchanged' | 'error';

export interface RowOutcome {
  row: number;
  name: string;
  action: RowAction;
  assetId?: string;
  /** For an update: the asset's fields the row changes (API names, as `field` in errors). */
  changed?: string[];
}

export type ImportProgress = (phase: 'validate' | 'write', done: number, total: number) => void;

interface ImportRow {
  row: number;
  input: AssetInputDto;
  addresses: NormalizedAddress[];
  department: string;
  /** The registered asset this row updates, if it names one. */
  existing?: Asset;
  unchanged?: boolean;
  changed?: string[];
}

interface ParsedRow {
  row: number;
  plain: Record<string, unknown>;
  id?: string;
  /** The column a field came from, as the user's file names it. */
  column(field: string): string;
  /** The field's value as written in the file. */
  value(field: string): string;
}

interface ParsedFile {
  rows: ParsedRow[];
  errors: RowError[];
  encoding?: 'utf-8' | 'gb18030';
  column(row: number, field: string): string;
}

interface Registry {
  byId: Map<string, Asset>;
  byName: Map<string, Asset[]>;
}

const nameKey = (department: string, name: string) => `${department}\u0000${name}`;

/** Fields an export adds that are the registry's, not the user's to set. */
const EXPORT_ONLY = ['id', 'createdAt', 'updatedAt'];

/** One element of a JSON import; an exported asset's id is kept aside to match it. */
function jsonRow(row: number, item: unknown): ParsedRow {
  const plain = item && typeof item === 'object' && !Array.isArray(item) ? { ...(item as Record<string, unknown>) } : (item as Record<string, unknown>);
  const id = plain && typeof plain === 'object' && typeof plain.id === 'string' ? plain.id : undefined;
  if (plain && typeof plain === 'object') for (const key of EXPORT_ONLY) delete plain[key];
  const value = (field: string) => {
    const found = valueAt(plain, field.split('.'));
    return found === undefined || found === null ? '' : typeof found === 'string' ? found : JSON.stringify(found);
  };
  return { row, plain, id, column: (field) => field, value };
}

function outcome(row: number, plain: Record<string, unknown>, valid: ImportRow | undefined, bad: boolean): RowOutcome {
  const name = typeof plain?.name === 'string' ? plain.name : '';
  const assetId = valid?.existing?.id;
  if (bad || !valid) return { row, name, action: 'error', ...(assetId ? { assetId } : {}) };
  if (!valid.existing) return { row, name, action: 'create' };
  return valid.unchanged ? { row, name, action: 'unchanged', assetId } : { row, name, action: 'update', assetId, changed: valid.changed };
}

function countActions(rows: RowOutcome[]): Pick<ImportReport, 'created' | 'updated' | 'unchanged'> {
  const count = (action: RowAction) => rows.filter((r) => r.action === action).length;
  return { created: count('create'), updated: count('update'), unchanged: count('unchanged') };
}

/** Why an address cannot be claimed as asked: an overlap with another department, or a catch-all an owner asked for. */
type ClaimProblem = { address: string; kind: 'overlap'; with: Claim } | { address: string; kind: 'catch-all' };
/** One address problem, in both languages, with what clients may key on. */
type Described = { message: Localised; detail: Record<string, unknown> };

/** An import row's problem as one line, as import reports carry them. */
const bothLanguages = (message: Localised) => `${message['zh-CN']} / ${message.en}`;

interface ClaimOptions {
  allowOverlap: boolean;
  /** The asset's live addresses before this change (value → fallback), when it stays in its department. */
  held?: Map<string, boolean>;
}

export interface WriteOptions {
  /** An administrator's choice to register addresses overlapping another department's as fallbacks. */
  allowOverlap?: boolean;
  /** An administrator's choice to list the departments an import names that are not listed yet (a first import). */
  addDepartments?: boolean;
}

// Serialises address claims, so two overlapping registrations cannot both pass the check.

export function toView(a: Asset): AssetView {
  return {
    id: a.id,
    name: a.name,
    type: a.type,
    department: a.department,
    ...(a.contactUserId ? { contactUserId: a.contactUserId } : {}),
    ...(a.contact ? { contact: a.contact } : {}),
    ...(a.securityContact ? { securityContact: a.securityContact } : {}),
    addresses: a.addresses,
    ...(a.zone ? { zone: a.zone } : {}),
    ...(a.mlpsLevel
      ? {
          mlps: {
            level: a.mlpsLevel,
            ...(a.mlpsFilingNumber ? { filingNumber: a.mlpsFilingNumber } : {}),
            ...(a.mlpsFilingDate ? { filingDate: a.mlpsFilingDate } : {}),
            ...(a.mlpsLastAssessment ? { lastAssessmentDate: a.mlpsLastAssessment } : {}),
          },
        }
      : {}),
    cii: { designated: a.cii, ...(a.ciiDesignationRef ? { designationRef: a.ciiDesignationRef } : {}) },
    data: {
      categories: a.dataCategories,
      level: a.dataLevel,
      personal: a.personalData,
      ...(a.personalDataSubjects !== null ? { subjects: a.personalDataSubjects } : {}),
    },
    storageLocation: a.storageLocation,
    criticality: a.criticality,
    lifecycle: a.lifecycle,
    tags: a.tags,
    expectedIntervalMinutes: a.expectedIntervalMinutes,
    createdAt: a.createdAt?.toISOString(),
    updatedAt: a.updatedAt?.toISOString(),
  } as AssetView;
}

/** Applies a full (create) or partial (update) input; nested groups given are replaced whole. */
function applyInput(asset: Asset, input: Partial<AssetInputDto>, addresses: NormalizedAddress[] | undefined): void {
  if (input.name !== undefined) asset.name = input.name;
  if (input.type !== undefined) asset.type = input.type;
  if (input.department !== undefined) asset.department = input.department;
  if (input.contactUserId !== undefined) asset.contactUserId = input.contactUserId;
  if (input.contact !== undefined) asset.contact = { ...input.contact };
  if (input.securityContact !== undefined) asset.securityContact = { ...input.securityContact };
  if (addresses) asset.addresses = addresses.map((a) => a.value);
  if (input.zone !== undefined) asset.zone = input.zone;
  if (input.mlps !== undefined) {
    asset.mlpsLevel = input.mlps.level;
    asset.mlpsFilingNumber = input.mlps.filingNumber ?? null;
    asset.mlpsFilingDate = input.mlps.filingDate ?? null;
    asset.mlpsLastAssessment = input.mlps.lastAssessmentDate ?? null;
  }
  if (input.cii !== undefined) {
    asset.cii = input.cii.designated;
    asset.ciiDesignationRef = input.cii.designationRef ?? null;
  }
  if (input.data !== undefined) {
    asset.dataCategories = input.data.categories ?? [];
    asset.dataLevel = input.data.level ?? 'general';
    asset.personalData = input.data.personal ?? 'none';
    asset.personalDataSubjects = input.data.subjects ?? null;
  }
  if (input.storageLocation !== undefined) asset.storageLocation = input.storageLocation;
  if (input.criticality !== undefined) asset.criticality = input.criticality;
  if (input.lifecycle !== undefined) asset.lifecycle = input.lifecycle;
  if (input.tags !== undefined) asset.tags = [...new Set(input.tags)];
  // null is asked for: back to the default interval.
  if (input.expectedIntervalMinutes !== undefined) asset.expectedIntervalMinutes = input.expectedIntervalMinutes;
  asset.updatedAt = new Date();
}

/** An asset before its input is applied; the id and creation time are the database's. */
function newAsset(): Asset {
  const defaults: Partial<Asset> = {
    contactUserId: null,
    contact: null,
    securityContact: null,
    addresses: [],
    zone: null,
    mlpsLevel: null,
    mlpsFilingNumber: null,
    mlpsFilingDate: null,
    mlpsLastAssessment: null,
    cii: false,
    ciiDesignationRef: null,
    dataCategories: [],
    dataLevel: 'general',
    personalData: 'none',
    personalDataSubjects: null,
    storageLocation: 'in_china',
    criticality: 'medium',
    lifecycle: 'active',
    tags: [],
    expectedIntervalMinutes: null,
  };
  return defaults as Asset;
}

function validationMessages(errors: ValidationError[], prefix = ''): Omit<RowError, 'row'>[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({ field, constraint, message: message.replace(/^property (\S+) should not exist$/, 'unknown field $1') }));
    return [...own, ...validationMessages(e.children ?? [], field)];
  });
}

/** A whole number of minutes outside the bounds; anything else not a whole number is the validator's to refuse. */
function intervalOutOfRange(minutes: unknown): DomainError | undefined {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes)) return undefined;
  return minutes < EXPECTED_INTERVAL_MINUTES.min || minutes > EXPECTED_INTERVAL_MINUTES.max ? assetErrors.expected_interval_out_of_range({ ...EXPECTED_INTERVAL_MINUTES }) : undefined;
}

function invalidAddresses(errors: { text: string; message: string }[]) {
  return assetErrors.invalid_addresses({ addresses: errors.map((e) => e.text) }, errors.map((e) => ({ field: 'addresses', message: e.message })));
}

function normalizeAll(raw: string[] | undefined): { addresses?: NormalizedAddress[]; errors: { text: string; message: string }[] } {
  if (raw === undefined) return { errors: [] };
  const addresses = new Map<string, NormalizedAddress>();
  const errors: { text: string; message: string }[] = [];
  for (const text of raw) {
    const result = normalizeAddress(text);
    if ('error' in result) errors.push({ text, message: result.error });
    else addresses.set(result.value, result);
  }
  return { addresses: [...addresses.values()], errors };
}

@Injectable()
export class AssetsService {
  /** Emits 'changed' after any committed change, so caches of the registry (enrichment) reload. */
  readonly changes = new EventEmitter();
  private readonly stored = new AssetsRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly departments: DepartmentsService,
  ) {}

  async list(query: AssetListQuery, principal: Principal): Promise<{ items: AssetView[]; total: number }> {
    const filter = { scope: departmentScope(principal), department: query.department, type: query.type, zone: query.zone, lifecycle: query.lifecycle, q: query.q };
    const { items: rows, total } = await this.stored.list(this.db, filter, { limit: query.limit ?? 100, offset: query.offset ?? 0 });
    return { items: rows.map(toView), total };
  }

  /** Owners get 404 for other departments' assets: they must not learn what exists elsewhere. */
  private async findVisible(sql: Sql, id: string, principal: Principal, lock = false): Promise<Asset> {
    const asset = await this.stored.find(sql, id, lock);
    const scope = departmentScope(principal);
    if (!asset || (scope !== undefined && asset.department !== scope)) throw assetErrors.not_found({ id });
    return asset;
  }

  async get(id: string, principal: Principal): Promise<AssetView> {
    return toView(await this.findVisible(this.db, id, principal));
  }

  private resolveDepartment(requested: string | undefined, principal: Principal): string {
    const scope = departmentScope(principal);
    if (scope === undefined) {
      if (!requested) throw assetErrors.department_required();
      return requested;
    }
    if (requested && requested !== scope) throw assetErrors.own_department_only({ department: scope });
    return scope;
  }

  /** The department as the list spells it, held until the write commits; one not listed is refused. */
  private async listedDepartment(tx: Sql, written: string): Promise<string> {
    const listed = await this.departments.holdListed(tx, written);
    if (listed === undefined) throw assetErrors.department_unknown({ department: written });
    return listed;
  }

  /** Owners learn nothing about another department's assets, not even that one has this id. */
  private conflictError(conflicts: AddressConflict[], principal: Principal, overlaps: ClaimProblem[] = []): DomainError {
    const all = [...conflicts.map((c) => this.describeDuplicate(c, principal)), ...overlaps.map((p) => this.describeProblem(p, principal))];
    const problems = Object.fromEntries(LANGUAGES.map((lang) => [lang, all.map((a) => a.message[lang]).join(lang === 'zh-CN' ? '；' : '; ')])) as Localised;
    return assetErrors.address_conflict({ problems }, all.map((a) => a.detail));
  }

  private describeDuplicate(c: AddressConflict, principal: Principal): Described {
    const scope = departmentScope(principal);
    if (scope === undefined || c.department === scope) {
      return {
        message: { 'zh-CN': `${c.address} 已登记在资产“${c.assetName}”（${c.assetId}）`, en: `${c.address} is already registered to asset "${c.assetName}" (${c.assetId})` },
        detail: { address: c.address, assetId: c.assetId, assetName: c.assetName },
      };
    }
    return { message: { 'zh-CN': `${c.address} 已登记在另一部门的资产上`, en: `${c.address} is already registered to an asset of another department` }, detail: { address: c.address } };
  }

  private describeProblem(p: ClaimProblem, principal: Principal): Described {
    if (p.kind === 'catch-all') {
      return { message: { 'zh-CN': `${p.address}：只有管理员可以登记宽于 /16（IPv4）或 /48（IPv6）的地址段`, en: `${p.address}: only administrators register ranges wider than /16 (IPv4) or /48 (IPv6)` }, detail: { address: p.address } };
    }
    const c = p.with;
    if (departmentScope(principal) !== undefined) {
      return { message: { 'zh-CN': `${p.address} 与另一部门已登记的地址重叠`, en: `${p.address} overlaps an address registered by another department` }, detail: { address: p.address } };
    }
    const holder = c.row !== undefined ? { 'zh-CN': `本文件第 ${c.row} 行`, en: `row ${c.row} of this file` } : { 'zh-CN': `资产“${c.assetName}”（${c.assetId}）`, en: `asset "${c.assetName}" (${c.assetId})` };
    return {
      message: {
        'zh-CN': `${p.address} 与${c.department}${holder['zh-CN']}已登记的 ${c.value} 重叠；加 allowOverlap=true 可登记为备用地址`,
        en: `${p.address} overlaps ${c.value} of ${holder.en} of ${c.department}; add allowOverlap=true to register it as a fallback`,
      },
      detail: { address: p.address, overlaps: c.value, department: c.department, ...(c.assetId ? { assetId: c.assetId, assetName: c.assetName } : { row: c.row }) },
    };
  }

  /** Every ordinary claim on IP space and host names in the registry, but the given asset's own. */
  private async ordinaryClaims(sql: Sql, excludeAssetId?: string): Promise<OrdinaryClaims> {
    const claims = new OrdinaryClaims();
    for (const row of await this.stored.ordinaryClaims(sql, excludeAssetId)) claims.add(row);
    return claims;
  }

  /**
   * Decides which of an asset's addresses are fallbacks, and which cannot be claimed at all. An
   * address the asset already held keeps its standing; a new one overlapping another department's
   * ordinary registration is refused unless an administrator forces it in as a fallback.
   */
  private claim(addresses: NormalizedAddress[], department: string, claims: OrdinaryClaims, principal: Principal, options: ClaimOptions): { fallback: Set<string>; problems: ClaimProblem[] } {
    const fallback = new Set<string>();
    const problems: ClaimProblem[] = [];
    const administrator = departmentScope(principal) === undefined;
    for (const address of addresses) {
      const block = addressBlock(address);
      const held = options.held?.get(address.value);
      if (block && isCatchAll(block)) {
        if (held === undefined && !administrator) problems.push({ address: address.value, kind: 'catch-all' });
        fallback.add(address.value);
        continue;
      }
      const overlaps = claims.foreign(address, department);
      if (!overlaps.length) continue;
      if (held === true || options.allowOverlap) fallback.add(address.value);
      else problems.push(...overlaps.map((c) => ({ address: address.value, kind: 'overlap' as const, with: c })));
    }
    return { fallback, problems };
  }

  private assertMayForce(principal: Principal, options: WriteOptions): void {
    if (departmentScope(principal) === undefined) return;
    if (options.allowOverlap) throw assetErrors.overlap_admin_only();
    if (options.addDepartments) throw assetErrors.add_departments_admin_only();
  }

  /** Refuses a registration with the duplicates and overlaps found; a catch-all asked by an owner is a 403. */
  private refuseClaims(duplicates: AddressConflict[], problems: ClaimProblem[], principal: Principal): void {
    const catchAll = problems.find((p) => p.kind === 'catch-all');
    if (catchAll) throw assetErrors.catch_all_admin_only({ address: catchAll.address });
    if (duplicates.length || problems.length) throw this.conflictError(duplicates, principal, problems);
  }

  /** The live registry as the ingest enrichment matches it. */
  indexEntries(): Promise<IndexedAsset[]> {
    return this.stored.indexEntries(this.db);
  }

  /** Every asset the caller sees that is expected to send events, with its own interval if it has one. */
  sending(principal: Principal): Promise<SendingAsset[]> {
    return this.stored.sending(this.db, departmentScope(principal));
  }

  /** Every asset, by name then id, for modules that read the whole registry (compliance audits). */
  registry(): Promise<Asset[]> {
    return this.stored.all(this.db);
  }

  private async assertContactUser(sql: Sql, contactUserId: string | undefined): Promise<void> {
    if (contactUserId && !(await this.stored.userExists(sql, contactUserId))) throw assetErrors.contact_unknown({ id: contactUserId });
  }

  private async saveAddresses(sql: Sql, asset: Asset, addresses: NormalizedAddress[], fallback: Set<string>): Promise<void> {
    await this.stored.deleteAddresses(sql, asset.id);
    const live = asset.lifecycle !== 'retired';
    await this.stored.insertAddresses(sql, addresses.map((a) => ({ assetId: asset.id, value: a.value, kind: a.kind, live, fallback: fallback.has(a.value) })));
  }

  /** Checks a live asset's addresses against the registry and answers which are fallbacks. */
  private async claimOrRefuse(sql: Sql, asset: Asset, addresses: NormalizedAddress[], principal: Principal, options: ClaimOptions): Promise<Set<string>> {
    if (asset.lifecycle === 'retired') return new Set();
    await lockForTransaction(sql, LockId.AddressClaims);
    const duplicates = await this.stored.conflicts(sql, asset.addresses, asset.id);
    const { fallback, problems } = this.claim(addresses, asset.department, await this.ordinaryClaims(sql, asset.id), principal, options);
    this.refuseClaims(duplicates, problems, principal);
    return fallback;
  }

  async create(input: AssetInputDto, caller: Caller, options: WriteOptions = {}): Promise<AssetView> {
    const department = this.resolveDepartment(input.department, caller.principal);
    this.assertMayForce(caller.principal, options);
    const badInterval = intervalOutOfRange(input.expectedIntervalMinutes);
    if (badInterval) throw badInterval;
    const { addresses = [], errors } = normalizeAll(input.addresses);
    if (errors.length) throw invalidAddresses(errors);
    return this.withDuplicateGuard(caller.principal, () =>
      this.audit.change(async (m) => {
        const listed = await this.listedDepartment(m, department);
        await this.assertContactUser(m, input.contactUserId);
        const asset = newAsset();
        applyInput(asset, { ...input, department: listed }, addresses);
        const fallback = await this.claimOrRefuse(m, asset, addresses, caller.principal, { allowOverlap: !!options.allowOverlap });
        [asset.id] = await this.stored.insert(m, [asset]);
        await this.saveAddresses(m, asset, addresses, fallback);
        const view = toView(asset);
        await announceAssetChange(m);
        return { result: view, record: { ...caller, action: 'asset.create', targetType: 'asset', targetId: asset.id, after: view } };
      }),
    ).finally(() => this.changes.emit('changed'));
  }

  async update(id: string, input: AssetUpdateDto, caller: Caller, options: WriteOptions = {}): Promise<AssetView> {
    this.assertMayForce(caller.principal, options);
    const badInterval = intervalOutOfRange(input.expectedIntervalMinutes);
    if (badInterval) throw badInterval;
    const { addresses, errors } = normalizeAll(input.addresses);
    if (errors.length) throw invalidAddresses(errors);
    return this.withDuplicateGuard(caller.principal, () =>
      this.audit.change(async (m) => {
        // The department list before the asset's row: a rename locks them in that order too.
        const listed = input.department === undefined ? undefined : await this.departments.holdListed(m, input.department);
        const asset = await this.findVisible(m, id, caller.principal, true);
        if (input.department !== undefined) {
          this.resolveDepartment(input.department, caller.principal);
          if (listed === undefined) throw assetErrors.department_unknown({ department: input.department });
        }
        await this.assertContactUser(m, input.contactUserId);
        const before = toView(asset);
        const heldRows = await this.stored.liveAddresses(m, id);
        applyInput(asset, { ...input, department: listed }, addresses);
        // Moved to another department, the asset's addresses are claimed afresh.
        const held = asset.department === before.department ? new Map(heldRows.map((r) => [r.value, r.fallback])) : undefined;
        const effective = addresses ?? asset.addresses.map((value) => normalizeAddress(value) as NormalizedAddress);
        const fallback = await this.claimOrRefuse(m, asset, effective, caller.principal, { allowOverlap: !!options.allowOverlap, held });
        await this.stored.update(m, asset);
        await this.saveAddresses(m, asset, effective, fallback);
        const after = toView(asset);
        await announceAssetChange(m);
        return { result: after, record: { ...caller, action: 'asset.update', targetType: 'asset', targetId: id, before, after } };
      }),
    ).finally(() => this.changes.emit('changed'));
  }

  async remove(id: string, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      const asset = await this.findVisible(m, id, caller.principal, true);
      await this.stored.delete(m, id);
      await announceAssetChange(m);
      return { result: undefined, record: { ...caller, action: 'asset.delete', targetType: 'asset', targetId: id, before: toView(asset) } };
    });
    this.changes.emit('changed');
  }

  /** The unique index catches what a concurrent registration slipped past the pre-check. */
  private async withDuplicateGuard<T>(principal: Principal, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isUniqueViolation(error, 'asset_addresses_live_key')) throw error;
      const value = /\(value\)=\((.*)\)/.exec((error as { driverError?: { detail?: string } }).driverError?.detail ?? '')?.[1];
      const found = value ? await this.stored.conflicts(this.db, [value]) : [];
      throw found.length ? this.conflictError(found, principal) : assetErrors.address_taken();
    }
  }

  /**
   * Validates every row first (dry run stops there) and then writes all of them in one
   * transaction, so an import either lands whole or not at all. A row naming an asset already in
   * the registry (by its id, else by its name within the department) updates it, so an exported
   * file comes back as "unchanged" rather than as duplicates.
   */
  async import(content: Buffer, format: 'csv' | 'json', dryRun: boolean, caller: Caller, onProgress?: ImportProgress, options: WriteOptions = {}): Promise<ImportReport> {
    this.assertMayForce(caller.principal, options);
    const parsed = this.parseImport(content, format);
    const report: ImportReport = { dryRun, encoding: parsed.encoding, total: parsed.rows.length, valid: 0, created: 0, updated: 0, unchanged: 0, departmentsAdded: [], errors: [...parsed.errors], rows: [] };
    const registry = await this.visibleRegistry(caller.principal);
    const written = parsed.rows.map((r) => r.plain?.department).filter((d): d is string => typeof d === 'string');
    const { listed, proposed } = await this.departments.resolve(written, options.addDepartments === true);
    const valid: ImportRow[] = [];
    const seen = new Map<string, number>();
    const matchedBy = new Map<string, number>();
    let done = 0;
    for (const parsedRow of parsed.rows) {
      const { row, plain } = parsedRow;
      const rowErrors = (await this.validateRow(plain, caller.principal)).map((e) => this.inUserTerms(e, parsedRow));
      const unlisted = departmentScope(caller.principal) === undefined && !rowErrors.some((e) => e.field === 'department') ? this.mapDepartment(plain, listed) : undefined;
      if (unlisted) rowErrors.push(this.coded('department', parsedRow, unlisted));
      const { addresses = [], errors } = normalizeAll(Array.isArray(plain.addresses) ? (plain.addresses as string[]) : undefined);
      rowErrors.push(...errors.map(({ text, message }) => ({ field: 'addresses', column: parsedRow.column('addresses'), message, code: assetErrors.codes.invalid_addresses, params: { addresses: [text] } })));
      for (const a of addresses) {
        const other = seen.get(a.value);
        if (other !== undefined) rowErrors.push(this.coded('addresses', parsedRow, assetErrors.import_address_repeated({ address: a.value, row: other })));
        else seen.set(a.value, row);
      }
      if (!rowErrors.length) {
        const input = plainToInstance(AssetInputDto, plain);
        const department = this.resolveDepartment(input.department, caller.principal);
        const match = this.matchRow(registry, parsedRow.id, input.name, department);
        if (match instanceof DomainError) rowErrors.push(this.coded(parsedRow.id ? 'id' : 'name', parsedRow, match));
        else if (match && matchedBy.has(match.id)) rowErrors.push(this.coded('name', parsedRow, assetErrors.import_same_asset_twice({ row: matchedBy.get(match.id) })));
        else {
          if (match) matchedBy.set(match.id, row);
          valid.push({ row, input, addresses, department, ...(match ? this.compare(match, input, department, addresses) : {}) });
        }
      }
      if (rowErrors.length) report.errors.push(...rowErrors.map((e) => ({ row, ...e })));
      onProgress?.('validate', ++done, parsed.rows.length);
    }
    const matchedAsset = new Map(valid.map((v) => [v.row, v.existing?.id]));
    const conflicts = await this.stored.conflicts(this.db, [...seen.keys()]);
    for (const c of conflicts) {
      const row = seen.get(c.address)!;
      if (matchedAsset.get(row) === c.assetId) continue; // the row's own asset already holds it
      const message = this.describeDuplicate(c, caller.principal).message;
      report.errors.push({ row, field: 'addresses', column: parsed.column(row, 'addresses'), message: bothLanguages(message), code: assetErrors.codes.address_conflict, params: { problems: message } });
    }
    const writes = valid.filter((v) => !v.unchanged);
    const { problems } = this.claimRows(writes, await this.ordinaryClaims(this.db), caller.principal, options);
    for (const [row, found] of problems) {
      for (const p of found) {
        const message = this.describeProblem(p, caller.principal).message;
        report.errors.push({ row, field: 'addresses', column: parsed.column(row, 'addresses'), message: bothLanguages(message), code: assetErrors.codes.address_conflict, params: { problems: message } });
      }
    }
    const badRows = new Set(report.errors.map((e) => e.row));
    report.departmentsAdded = [...proposed].filter((name) => valid.some((v) => v.department === name && !badRows.has(v.row)));
    report.rows = parsed.rows.map(({ row, plain }) => outcome(row, plain, valid.find((v) => v.row === row), badRows.has(row)));
    report.valid = valid.filter((v) => !badRows.has(v.row)).length;
    report.errors.sort((a, b) => a.row - b.row);
    const counted = countActions(report.rows);
    // A dry run's counts say what the import would do.
    if (dryRun) return { ...report, ...counted };
    if (report.errors.length) throw assetErrors.import_refused({ rows: badRows.size }, report);
    await this.withDuplicateGuard(caller.principal, () =>
      this.audit.change(async (m) => {
        // Checked again under the lock: the registry may have changed since the validation.
        await lockForTransaction(m, LockId.AddressClaims);
        const claimed = this.claimRows(writes, await this.ordinaryClaims(m), caller.principal, options);
        if (claimed.problems.size) throw this.conflictError([], caller.principal, [...claimed.problems.values()].flat());
        const contactIds = [...new Set(writes.map((v) => v.input.contactUserId).filter((id): id is string => !!id))];
        for (const id of contactIds) await this.assertContactUser(m, id);
        await this.departments.addDuringImport(m, report.departmentsAdded);
        // Held like a single write's: a department removed since the validation refuses the import.
        for (const department of new Set(writes.map((v) => v.department))) await this.listedDepartment(m, department);
        await this.insertRows(m, writes.filter((v) => !v.existing), claimed.fallback, onProgress);
        const updated = await this.updateRows(m, writes.filter((v) => v.existing), claimed.fallback, caller.principal);
        await announceAssetChange(m);
        return { result: undefined, record: { ...caller, action: 'asset.import', targetType: 'asset', after: { format, rows: valid.length, ...counted, updatedIds: updated, encoding: parsed.encoding, ...(report.departmentsAdded.length ? { departmentsAdded: report.departmentsAdded } : {}) } } };
      }),
    );
    this.changes.emit('changed');
    return { ...report, ...counted };
  }

  /**
   * An administrator's row names a department from the managed list, written as the list has it or
   * differing only in spaces, width or case; the row is rewritten to the listed name. Owners' rows
   * are their own department's, checked by resolveDepartment.
   */
  private mapDepartment(plain: Record<string, unknown>, listed: Map<string, string>): DomainError | undefined {
    if (typeof plain.department !== 'string') return undefined;
    const name = listed.get(plain.department);
    if (name === undefined) return assetErrors.import_department_unknown({ department: plain.department });
    plain.department = name;
    return undefined;
  }

  /** The assets the caller may see, by id and by department and name, to match import rows against. */
  private async visibleRegistry(principal: Principal): Promise<Registry> {
    const assets = await this.stored.all(this.db, departmentScope(principal));
    const byName = new Map<string, Asset[]>();
    for (const a of assets) byName.set(nameKey(a.department, a.name), [...(byName.get(nameKey(a.department, a.name)) ?? []), a]);
    return { byId: new Map(assets.map((a) => [a.id, a])), byName };
  }

  /** The registered asset a row speaks of, none for a new one, or why the row cannot be matched. */
  private matchRow(registry: Registry, id: string | undefined, name: string, department: string): Asset | undefined | DomainError {
    if (id) return registry.byId.get(id) ?? assetErrors.import_id_unknown({ id });
    const named = registry.byName.get(nameKey(department, name)) ?? [];
    if (named.length > 1) return assetErrors.import_name_ambiguous({ name, department, count: named.length });
    return named[0];
  }

  /** What the row would change on its asset: nothing, or the fields that differ. */
  private compare(existing: Asset, input: AssetInputDto, department: string, addresses: NormalizedAddress[]): Pick<ImportRow, 'existing' | 'unchanged' | 'changed'> {
    const before = toView(existing);
    const probe = structuredClone(existing);
    applyInput(probe, { ...input, department }, input.addresses === undefined ? undefined : addresses);
    const after = toView(probe);
    const changed = Object.keys({ ...before, ...after }).filter((key) => !['createdAt', 'updatedAt'].includes(key) && JSON.stringify(before[key as keyof AssetView]) !== JSON.stringify(after[key as keyof AssetView]));
    return { existing, unchanged: changed.length === 0, changed };
  }

  /** New assets in multi-row inserts, in chunks: one round trip per chunk instead of three per asset. */
  private async insertRows(sql: Sql, rows: ImportRow[], fallback: Map<number, Set<string>>, onProgress?: ImportProgress): Promise<void> {
    const CHUNK = 250;
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK);
      const assets = chunk.map(({ input, addresses, department }) => {
        const asset = newAsset();
        applyInput(asset, { ...input, department }, addresses);
        return asset;
      });
      const ids = await this.stored.insert(sql, assets);
      const addressRows = chunk.flatMap(({ row, addresses }, i) =>
        addresses.map((a) => ({ assetId: ids[i], value: a.value, kind: a.kind, live: assets[i].lifecycle !== 'retired', fallback: fallback.get(row)?.has(a.value) ?? false })),
      );
      await this.stored.insertAddresses(sql, addressRows);
      onProgress?.('write', Math.min(start + CHUNK, rows.length), rows.length);
    }
  }

  /** Changed assets one by one, under a row lock; a row leaving out the addresses keeps the asset's. */
  private async updateRows(sql: Sql, rows: ImportRow[], fallback: Map<number, Set<string>>, principal: Principal): Promise<string[]> {
    for (const { row, input, addresses, department, existing } of rows) {
      const asset = await this.findVisible(sql, existing!.id, principal, true);
      applyInput(asset, { ...input, department }, input.addresses === undefined ? undefined : addresses);
      await this.stored.update(sql, asset);
      const effective = input.addresses === undefined ? asset.addresses.map((value) => normalizeAddress(value) as NormalizedAddress) : addresses;
      await this.saveAddresses(sql, asset, effective, fallback.get(row) ?? new Set());
    }
    return rows.map((r) => r.existing!.id);
  }

  /** A coded refusal as one row problem, naming the column as the user's file does. */
  private coded(field: string, row: ParsedRow, error: DomainError): Omit<RowError, 'row'> {
    return { field, column: row.column(field), message: error.message, code: error.code, params: error.params };
  }

  /** A validator's complaint about a row, coded and naming the user's column and value. */
  private inUserTerms(problem: Omit<RowError, 'row'>, row: ParsedRow): Omit<RowError, 'row'> {
    if (!problem.field || problem.code || problem.constraint === 'whitelistValidation') return { ...problem, ...(problem.field ? { column: row.column(problem.field) } : {}) };
    const column = row.column(problem.field);
    const value = row.value(problem.field);
    const error = value === '' ? assetErrors.import_value_missing({ column }) : assetErrors.import_invalid_value({ column, value });
    return { ...problem, column, message: error.message, code: error.code, params: error.params };
  }

  /** Claims each live row's addresses against the registry and against the rows before it. */
  private claimRows(rows: ImportRow[], claims: OrdinaryClaims, principal: Principal, options: WriteOptions): { fallback: Map<number, Set<string>>; problems: Map<number, ClaimProblem[]> } {
    const fallback = new Map<number, Set<string>>();
    const problems = new Map<number, ClaimProblem[]>();
    for (const { row, input, addresses, department } of rows) {
      if (input.lifecycle === 'retired') continue;
      const claimed = this.claim(addresses, department, claims, principal, { allowOverlap: !!options.allowOverlap });
      if (claimed.problems.length) {
        problems.set(row, claimed.problems);
        continue;
      }
      fallback.set(row, claimed.fallback);
      for (const a of addresses) if (!claimed.fallback.has(a.value)) claims.add({ value: a.value, kind: a.kind, department, row });
    }
    return { fallback, problems };
  }

  private parseImport(content: Buffer, format: 'csv' | 'json'): ParsedFile {
    const { text, encoding } = decodeText(content);
    if (format === 'json') {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw assetErrors.import_malformed_json({ reason: (error as Error).message });
      }
      if (!Array.isArray(data)) throw assetErrors.import_json_not_array();
      const rows = data.map((item, i) => jsonRow(i + 1, item));
      return { rows, errors: [], encoding, column: (_row, field) => field };
    }
    const [header, ...body] = parseCsv(text);
    if (!header) throw assetErrors.import_csv_empty();
    const { columns, errors } = mapHeader(header.cells);
    if (errors.length) throw assetErrors.import_csv_header({ problems: errors }, errors.map((message) => ({ row: header.line, message })));
    const column = (field: string) => columnOf(field, columns, header.cells);
    // Row numbers are the file's line numbers, as a spreadsheet shows them.
    const rows = body.map((r): ParsedRow => ({
      row: r.line,
      plain: rowToInput(r.cells, columns),
      id: rowId(r.cells, columns),
      column,
      value: (field) => {
        const index = header.cells.findIndex((cell) => cell.trim() === column(field));
        return index < 0 ? '' : (r.cells[index] ?? '').trim();
      },
    }));
    return { rows, errors: [], encoding, column: (_row, field) => column(field) };
  }

  private async validateRow(plain: unknown, principal: Principal): Promise<Omit<RowError, 'row'>[]> {
    if (!plain || typeof plain !== 'object' || Array.isArray(plain)) return [{ message: 'not an object' }];
    const dto = plainToInstance(AssetInputDto, plain);
    const errors = validationMessages(await validate(dto, { whitelist: true, forbidNonWhitelisted: true }));
    const badInterval = intervalOutOfRange(dto.expectedIntervalMinutes);
    if (badInterval) errors.push({ field: 'expectedIntervalMinutes', message: badInterval.message, code: badInterval.code, params: badInterval.params });
    try {
      this.resolveDepartment(dto.department, principal);
    } catch (error) {
      const coded = error instanceof DomainError ? { code: error.code, params: error.params } : {};
      errors.push({ field: 'department', message: (error as Error).message.replace(/^department: /, ''), ...coded });
    }
    return errors;
  }

  async export(principal: Principal, format: 'csv' | 'json', headers: 'en' | 'zh', encoding: 'utf-8' | 'gbk'): Promise<{ body: Buffer; contentType: string; extension: string }> {
    const assets = await this.stored.all(this.db, departmentScope(principal));
    const views = assets.map(toView);
    if (format === 'json') return { body: Buffer.from(JSON.stringify(views, null, 2)), contentType: 'application/json; charset=utf-8', extension: 'json' };
    const csv = toCsv(tableHeader(headers), views.map(assetToRow));
    // UTF-8 with a BOM opens correctly in Excel; GBK is for older tools that expect it.
    const body = encoding === 'gbk' ? iconv.encode(csv, 'gbk') : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]);
    return { body, contentType: `text/csv; charset=${encoding}`, extension: 'csv' };
  }
}
