import type { AddressKind } from '../shared/index.js';
import type { ASSET_TYPES, DATA_LEVELS, PERSONAL_DATA, STORAGE_LOCATIONS, CRITICALITIES, LIFECYCLES } from './vocabulary.js';

export interface ContactPerson {
  name: string;
  email?: string;
  phone?: string;
}

/** A row of `assets` as the repository reads it: calendar days as `YYYY-MM-DD` text, the declared number of people as a number. */
export interface Asset {
  id: string;
  name: string;
  type: (typeof ASSET_TYPES)[number];
  department: string;
  contactUserId: string | null;
  contact: ContactPerson | null;
  securityContact: ContactPerson | null;
  addresses: string[];
  zone: string | null;
  mlpsLevel: number | null;
  mlpsFilingNumber: string | null;
  mlpsFilingDate: string | null;
  mlpsLastAssessment: string | null;
  cii: boolean;
  ciiDesignationRef: string | null;
  dataCategories: string[];
  dataLevel: (typeof DATA_LEVELS)[number];
  personalData: (typeof PERSONAL_DATA)[number];
  personalDataSubjects: number | null;
  storageLocation: (typeof STORAGE_LOCATIONS)[number];
  criticality: (typeof CRITICALITIES)[number];
  lifecycle: (typeof LIFECYCLES)[number];
  tags: string[];
  /** How often the asset is expected to send events; null: the service's default. */
  expectedIntervalMinutes: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A running asset as the silence check reads it. */
export type SendingAsset = Pick<Asset, 'id' | 'name' | 'department' | 'expectedIntervalMinutes'>;

/** A row of `asset_addresses`: one address an asset claims. */
export interface AssetAddress {
  assetId: string;
  value: string;
  kind: AddressKind;
  live: boolean;
  /** Gets only addresses no other department's ordinary registration covers (see address-claims.ts). */
  fallback: boolean;
}
