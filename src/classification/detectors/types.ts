/** Kinds of personal information the detectors recognise. */
export type PiiType =
  | 'resident_id'
  | 'mobile'
  | 'bank_card'
  | 'plate'
  | 'vin'
  | 'email'
  | 'location'
  | 'passport'
  | 'hk_macao_permit'
  | 'taiwan_permit'
  | 'permanent_residence_id';

/** One piece of personal information found in a text; `start`/`end` are UTF-16 offsets, end exclusive. */
export interface PiiFinding {
  type: PiiType;
  value: string;
  start: number;
  end: number;
  /** Sensitive personal information in the sense of PIPL Art. 28 (needs separate consent and strict protection). */
  sensitive: boolean;
  /** 0–1: how sure the detector is; checksum-backed matches score highest. */
  confidence: number;
}

/** A finding inside an event, located by its field path (e.g. `request.query.phone`, `items[2].card`). */
export interface EventFinding extends PiiFinding {
  path: string;
}

/** What one detector reports before the registry stamps type and sensitivity on it. */
export interface Candidate {
  value: string;
  start: number;
  end: number;
  confidence: number;
}

/** Facts about a text gathered in one pass, so detectors that cannot match are skipped without running a regex. */
export interface TextProfile {
  longestDigitRun: number;
  digitCount: number;
  /**
   * Most digits in runs joined by single spaces or hyphens (`138 1234 5678`: 11), as grouped
   * numbers are written; only runs that are whole tokens (digits alone between non-alphanumerics)
   * count, so the groups of a GUID (`68FC-DC1D-000000004002`) do not chain.
   */
  longestDigitChain: number;
  /**
   * Numbers written with one to three digits, a '.', and at least PRECISE_DECIMALS digits: a
   * precise coordinate's shape. Every coordinate pair has two; a timestamp's fraction of a second
   * (`14:18:34.072213Z`) is one.
   */
  preciseDecimals: number;
  /**
   * Bit n is set when a maximal run of n ASCII letters and digits occurs (n up to 30): the
   * detectors whose patterns are bounded by non-alphanumerics match whole tokens of set lengths.
   */
  tokenLengths: number;
  /** '@' or its URL-encoded form '%40'. */
  hasAt: boolean;
  hasPlateProvince: boolean;
  length: number;
  /**
   * The whole tokens with a digit as long as identity documents and VINs (8, 9, 11, 15, 17 or 18
   * characters), as pairs: where one starts, its length. Detectors of whole tokens try their
   * pattern there only.
   */
  wholeTokens: readonly number[];
}

export interface Detector {
  readonly type: PiiType;
  readonly sensitive: boolean;
  applies(profile: TextProfile): boolean;
  /** `profile`: the text's, when the caller has made it (detectors of whole tokens read it). */
  detect(text: string, profile?: TextProfile): Candidate[];
  /** Canonical form used for the keyed hash, so `+86 138-1234-5678` and `13812345678` correlate. */
  normalize(value: string): string;
}
