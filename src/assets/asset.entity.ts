import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AddressKind } from '../shared/index.js';
import type { ASSET_TYPES, DATA_LEVELS, PERSONAL_DATA, STORAGE_LOCATIONS, CRITICALITIES, LIFECYCLES } from './vocabulary.js';

export { ASSET_TYPES, DATA_LEVELS, PERSONAL_DATA, STORAGE_LOCATIONS, CRITICALITIES, LIFECYCLES } from './vocabulary.js';

export interface ContactPerson {
  name: string;
  email?: string;
  phone?: string;
}

@Entity('assets')
export class Asset {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column({ type: 'text' }) type: (typeof ASSET_TYPES)[number];
  @Column() department: string;
  @Column({ name: 'contact_user_id', type: 'uuid', nullable: true }) contactUserId: string | null;
  @Column({ type: 'jsonb', nullable: true }) contact: ContactPerson | null;
  @Column({ name: 'security_contact', type: 'jsonb', nullable: true }) securityContact: ContactPerson | null;
  @Column({ type: 'text', array: true }) addresses: string[];
  @Column({ type: 'text', nullable: true }) zone: string | null;
  @Column({ name: 'mlps_level', type: 'smallint', nullable: true }) mlpsLevel: number | null;
  @Column({ name: 'mlps_filing_number', type: 'text', nullable: true }) mlpsFilingNumber: string | null;
  @Column({ name: 'mlps_filing_date', type: 'date', nullable: true }) mlpsFilingDate: string | null;
  @Column({ name: 'mlps_last_assessment', type: 'date', nullable: true }) mlpsLastAssessment: string | null;
  @Column() cii: boolean;
  @Column({ name: 'cii_designation_ref', type: 'text', nullable: true }) ciiDesignationRef: string | null;
  @Column({ name: 'data_categories', type: 'text', array: true }) dataCategories: string[];
  @Column({ name: 'data_level', type: 'text' }) dataLevel: (typeof DATA_LEVELS)[number];
  @Column({ name: 'personal_data', type: 'text' }) personalData: (typeof PERSONAL_DATA)[number];
  // bigint arrives as a string from pg; the transformer keeps the API numeric.
  @Column({ name: 'personal_data_subjects', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  personalDataSubjects: number | null;
  @Column({ name: 'storage_location', type: 'text' }) storageLocation: (typeof STORAGE_LOCATIONS)[number];
  @Column({ type: 'text' }) criticality: (typeof CRITICALITIES)[number];
  @Column({ type: 'text' }) lifecycle: (typeof LIFECYCLES)[number];
  @Column({ type: 'text', array: true }) tags: string[];
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('asset_addresses')
export class AssetAddress {
  @PrimaryColumn({ name: 'asset_id', type: 'uuid' }) assetId: string;
  @PrimaryColumn() value: string;
  @Column({ type: 'text' }) kind: AddressKind;
  @Column() live: boolean;
  /** Gets only addresses no other department's ordinary registration covers (see address-claims.ts). */
  @Column() fallback: boolean;
}
