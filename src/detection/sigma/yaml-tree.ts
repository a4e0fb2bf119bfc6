import type { SigmaError, SourcePos } from './errors.js';

/**
 * A small positioned view of a YAML document. Sigma validation works on this tree instead of on
 * plain JS objects so that every error can point at the line and column of the key or value that
 * caused it.
 */
export type YNode = YMap | YSeq | YScalar;

export interface YScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  pos: SourcePos;
  /** Written in quotes: the text starts one column after `pos`. */
  quoted: boolean;
  /** The value's source text is on one line (so an offset into the value is an offset into the line). */
  singleLine: boolean;
  /** The value as written (quotes and escapes included); empty for a missing value. */
  source: string;
}

export interface YMapEntry {
  key: string;
  keyPos: SourcePos;
  keyQuoted: boolean;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  entries: YMapEntry[];
  pos: SourcePos;
}

export interface YSeq {
  kind: 'seq';
  items: YNode[];
  pos: SourcePos;
}

export interface YDocument {
  /** Null for an empty document (e.g. a trailing `---`). */
  root: YNode | null;
  pos: SourcePos;
  /** Index of the document in the file, 0-based. */
  index: number;
}

export interface YamlDocuments {
  docs: YDocument[];
  errors: SigmaError[];
}
