/**
 * Every problem found in a Sigma document — bad YAML, a bad rule, a bad condition, a modifier
 * chain that makes no sense — is reported as a SigmaError that names the file and the 1-based line
 * and column of the offending text, so a rule author can jump straight to it.
 */
export interface SourcePos {
  line: number;
  column: number;
}

export class SigmaError extends Error {
  override readonly name = 'SigmaError';
  constructor(
    /** What is wrong, without the location (see `toString()` for the located form). */
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }

  static at(message: string, file: string, pos: SourcePos | undefined): SigmaError {
    return new SigmaError(message, file, pos?.line ?? 1, pos?.column ?? 1);
  }

  /** `file:line:column: message`, the form editors and CI logs understand. */
  override toString(): string {
    return `${this.file}:${this.line}:${this.column}: ${this.message}`;
  }
}

/**
 * The input exceeds a resource limit (size, alias expansion) rather than saying something wrong:
 * callers answer it differently from a mistake in a rule (an upload gets 422, not 400).
 */
export class SigmaLimitError extends SigmaError {
  static override at(message: string, file: string, pos: SourcePos | undefined): SigmaLimitError {
    return new SigmaLimitError(message, file, pos?.line ?? 1, pos?.column ?? 1);
  }
}

export function isSigmaError(e: unknown): e is SigmaError {
  return e instanceof SigmaError;
}
