/** Shared by the loaders of rules/incidents and rules/playbooks: one error listing every problem. */

export interface Issue {
  file: string;
  /** Where in the file, as a dotted path (`portal_outage.major.at_least`, `tasks[2].phase`). */
  path: string;
  message: string;
}

export const formatIssue = (i: Issue): string => `${i.file}: ${i.path}: ${i.message}`;

export class TableError extends Error {
  constructor(
    what: string,
    readonly issues: readonly Issue[],
  ) {
    super(`${what}: ${issues.length} problem(s)\n${issues.map(formatIssue).join('\n')}`);
    this.name = new.target.name;
  }
}

export const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
