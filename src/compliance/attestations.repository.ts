import type { Sql } from '../database/index.js';

export interface AttestationRow {
  id: string;
  control_id: string;
  subject_type: 'asset' | 'organisation';
  subject_id: string;
  subject_name: string;
  department: string | null;
  evidence_file_name: string;
  evidence_sha256: string;
  evidence_size: string;
  content_type: string;
  stored_path: string;
  note: string | null;
  attested_by: string;
  attested_at: Date;
  valid_until: string;
}

export interface NewAttestation {
  controlId: string;
  subject: { type: 'asset' | 'organisation'; id: string; name: string; department: string | null };
  evidence: { fileName: string; sha256: string; size: number; contentType: string; storedPath: string };
  note: string | null;
  attestedBy: string;
  validUntil: string;
}

// Dates as text: a calendar day must not become a Date at some server's local midnight.
const COLUMNS = `id, control_id, subject_type, subject_id, subject_name, department, evidence_file_name, evidence_sha256, evidence_size, content_type, stored_path, note, attested_by, attested_at, valid_until::text AS valid_until`;

/** Attestations of manual controls, and the evidence files they point at (stored by content, so shared). */
export class AttestationsRepository {
  async insert(sql: Sql, a: NewAttestation): Promise<AttestationRow> {
    const [row] = await sql.query<AttestationRow>(
      `INSERT INTO compliance_attestations (control_id, subject_type, subject_id, subject_name, department, evidence_file_name, evidence_sha256, evidence_size, content_type, stored_path, note, attested_by, valid_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
      [
        a.controlId,
        a.subject.type,
        a.subject.id,
        a.subject.name,
        a.subject.department,
        a.evidence.fileName,
        a.evidence.sha256,
        a.evidence.size,
        a.evidence.contentType,
        a.evidence.storedPath,
        a.note,
        a.attestedBy,
        a.validUntil,
      ],
    );
    return row;
  }

  /** How many attestations point at the stored evidence file. */
  async usersOfFile(sql: Sql, storedPath: string): Promise<number> {
    const [{ used }] = await sql.query<{ used: number }>(`SELECT count(*)::int AS used FROM compliance_attestations WHERE stored_path = $1`, [storedPath]);
    return used;
  }

  /** The registry's name and department of an asset an attestation is about. */
  async asset(sql: Sql, id: string): Promise<{ name: string; department: string } | undefined> {
    const [asset] = await sql.query<{ name: string; department: string }>(`SELECT name, department FROM assets WHERE id = $1`, [id]);
    return asset;
  }

  /** Newest first; null fields do not filter. */
  async list(sql: Sql, controlId: string | null, subjectId: string | null): Promise<AttestationRow[]> {
    return sql.query<AttestationRow>(
      `SELECT ${COLUMNS} FROM compliance_attestations WHERE ($1::text IS NULL OR control_id = $1) AND ($2::text IS NULL OR subject_id = $2) ORDER BY attested_at DESC, id`,
      [controlId, subjectId],
    );
  }

  async byId(sql: Sql, id: string): Promise<AttestationRow | undefined> {
    const [row] = await sql.query<AttestationRow>(`SELECT ${COLUMNS} FROM compliance_attestations WHERE id = $1`, [id]);
    return row;
  }

  /** Per control and subject, the attestation valid longest (the latest made, among equals). */
  async latestPerSubject(sql: Sql): Promise<AttestationRow[]> {
    return sql.query<AttestationRow>(
      `SELECT DISTINCT ON (control_id, subject_type, subject_id) ${COLUMNS} FROM compliance_attestations ORDER BY control_id, subject_type, subject_id, valid_until DESC, attested_at DESC`,
    );
  }
}
