import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { SNIFF_BYTES, sniffContentType } from './evidence-type.js';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuditService } from '../audit/index.js';
import { actorName, type Caller } from '../auth/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { isAssetSelector } from './catalogue/selector.js';
import { attestationExpiry, type AttestationRef } from './attestation-rules.js';
import { ControlCatalogue } from './control-catalogue.js';
import type { AttestationListQuery, AttestationUploadQuery } from './dto.js';
import { ORGANISATION_ID } from './facts/facts-builder.js';
import { acceptanceHolds } from './findings-workflow.js';
import { complianceErrors } from './errors.js';
import { Database } from '../database/index.js';
import { AttestationsRepository, type AttestationRow } from './attestations.repository.js';

export interface AttestationView {
  id: string;
  controlId: string;
  subject: { type: 'asset' | 'organisation'; id: string; name: string };
  department: string | null;
  evidence: { fileName: string; sha256: string; size: number; contentType: string };
  note: string | null;
  attestedBy: string;
  attestedAt: string;
  validUntil: string;
  valid: boolean;
}

const key = (controlId: string, subjectType: string, subjectId: string) => `${controlId}|${subjectType}|${subjectId}`;

/**
 * Compliance officers' statements that a manual control is met, each with its evidence file. The
 * file is kept under TAISHI_DATA_DIR/evidence by its SHA-256 and checked against it when read back.
 */
@Injectable()
export class AttestationsService {
  private readonly root: string;
  private readonly stored = new AttestationsRepository();

  constructor(
    private readonly db: Database,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly catalogue: ControlCatalogue,
  ) {
    this.root = path.resolve(settings.TAISHI_DATA_DIR);
  }

  private view(r: AttestationRow, now = new Date()): AttestationView {
    return {
      id: r.id,
      controlId: r.control_id,
      subject: { type: r.subject_type, id: r.subject_id, name: r.subject_name },
      department: r.department,
      evidence: { fileName: r.evidence_file_name, sha256: r.evidence_sha256, size: Number(r.evidence_size), contentType: r.content_type },
      note: r.note,
      attestedBy: r.attested_by,
      attestedAt: r.attested_at.toISOString(),
      validUntil: r.valid_until,
      valid: acceptanceHolds(r.valid_until, now),
    };
  }

  /** Checks everything the query says before a byte of the file is read, so nothing is stored for a bad request. */
  async create(query: AttestationUploadQuery, req: Request, caller: Caller): Promise<AttestationView> {
    const control = this.catalogue.load().find((c) => c.id === query.controlId);
    if (!control) throw complianceErrors.control_unknown({ controlId: query.controlId });
    const expectedType = isAssetSelector(control.appliesTo) ? 'asset' : 'organisation';
    if (query.subjectType !== expectedType) throw complianceErrors.subject_type_mismatch({ controlId: control.id, appliesTo: control.appliesTo, expected: expectedType });
    const subject = await this.subject(query.subjectType, query.subjectId);
    const expiry = attestationExpiry(control, query.validUntil, new Date());
    if ('problem' in expiry) throw expiry.problem === 'past' ? complianceErrors.valid_until_past() : complianceErrors.valid_until_too_late({ latest: expiry.latest, controlId: control.id, maxDays: expiry.maxDays });
    const file = await this.receive(req);
    try {
      return await this.audit.change(async (m) => {
        const row = await this.stored.insert(m, {
          controlId: control.id,
          subject: { type: query.subjectType, id: query.subjectId, ...subject },
          evidence: { fileName: query.fileName, ...file },
          note: query.note ?? null,
          attestedBy: actorName(caller.principal),
          validUntil: expiry.validUntil,
        });
        const created = this.view(row);
        return { result: created, record: { ...caller, action: 'compliance.attestation.create', targetType: 'compliance_attestation', targetId: created.id, after: created } };
      });
    } catch (error) {
      // The file stays only when another attestation already points at the same content.
      if ((await this.stored.usersOfFile(this.db, file.storedPath)) === 0) await rm(path.join(this.root, file.storedPath), { force: true });
      throw error;
    }
  }

  private async subject(type: 'asset' | 'organisation', id: string): Promise<{ name: string; department: string | null }> {
    if (type === 'organisation') {
      if (id !== ORGANISATION_ID) throw complianceErrors.organisation_id({ id: ORGANISATION_ID });
      return { name: this.settings.TAISHI_ORGANISATION_NAME, department: null };
    }
    const asset = /^[0-9a-f-]{36}$/i.test(id) ? await this.stored.asset(this.db, id) : undefined;
    if (!asset) throw complianceErrors.asset_not_found({ id });
    return asset;
  }

  limits(): { maxBytes: number } {
    return { maxBytes: this.settings.TAISHI_EVIDENCE_MAX_BYTES };
  }

  /** Streams the body to disk while hashing it; the limit is checked as bytes arrive. */
  private async receive(req: Request): Promise<{ sha256: string; size: number; contentType: string; storedPath: string }> {
    // The JSON body parser has already read (and parsed) an application/json body.
    if (req.body !== undefined || req.readableEnded)
      throw complianceErrors.evidence_as_body();
    const limit = this.settings.TAISHI_EVIDENCE_MAX_BYTES;
    const tooLarge = () => complianceErrors.evidence_too_large({ limit });
    if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
    // Evidence may name people and systems: readable by the service's account only.
    const dir = path.join(this.root, 'evidence');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700); // also a folder made by an earlier version
    const temporary = path.join(dir, `.upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    // Past the limit the rest is read and dropped, so the client gets the 413 instead of a reset.
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        if (size > limit) return done();
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(req, meter, createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
      if (size > limit) throw tooLarge();
      if (size === 0) throw complianceErrors.evidence_empty();
      const sha256 = hash.digest('hex');
      const storedPath = path.join('evidence', sha256.slice(0, 2), sha256);
      await mkdir(path.join(this.root, path.dirname(storedPath)), { recursive: true, mode: 0o700 });
      await rename(temporary, path.join(this.root, storedPath));
      return { sha256, size, contentType: sniffContentType(head), storedPath };
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async list(query: AttestationListQuery): Promise<AttestationView[]> {
    const rows = await this.stored.list(this.db, query.controlId ?? null, query.subjectId ?? null);
    const now = new Date();
    return rows.map((r) => this.view(r, now));
  }

  /** The file as attested; refused when it no longer matches the hash recorded at upload. */
  async evidence(id: string): Promise<{ view: AttestationView; content: Buffer }> {
    const row = await this.stored.byId(this.db, id);
    if (!row) throw complianceErrors.attestation_not_found({ id });
    const file = path.join(this.root, row.stored_path);
    const content = await stat(file).then(
      () => readFile(file),
      () => undefined,
    );
    if (content === undefined) throw complianceErrors.evidence_missing({ id }, { storedPath: row.stored_path });
    if (createHash('sha256').update(content).digest('hex') !== row.evidence_sha256)
      throw complianceErrors.evidence_tampered({ id });
    return { view: this.view(row), content };
  }

  /** The latest attestation of every control and subject, for a run to apply. */
  async latest(): Promise<Map<string, AttestationRef>> {
    const rows = await this.stored.latestPerSubject(this.db);
    return new Map(
      rows.map((r) => [
        key(r.control_id, r.subject_type, r.subject_id),
        { id: r.id, fileName: r.evidence_file_name, sha256: r.evidence_sha256, attestedBy: r.attested_by, attestedAt: r.attested_at.toISOString(), validUntil: r.valid_until },
      ]),
    );
  }
}

export const attestationKey = key;
