import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ASSET_TYPES } from '../../assets/vocabulary.js';
import type { Localised } from '../../shared/index.js';
import { isCategoryId, type CategoryId } from './categories.js';
import { isMap, TableError, type Issue } from './validation.js';
import type { Phase } from './workflow.js';

/**
 * Playbooks (rules/playbooks/*.yml): per kind of incident, the tasks to add when the incident
 * enters a phase. A playbook applies to incidents of its category whose alerts carry one of its
 * ATT&CK techniques and whose assets are of one of its types, when it names any.
 */

/** Phases a playbook can add tasks to; protect tickets have no playbooks. */
export const PLAYBOOK_PHASES = ['detect', 'respond', 'recover', 'closed'] as const satisfies readonly Phase[];
export type PlaybookPhase = (typeof PLAYBOOK_PHASES)[number];
export const ASSIGNEE_ROLES = ['analyst', 'system_owner'] as const;
export type AssigneeRole = (typeof ASSIGNEE_ROLES)[number];
type AssetType = (typeof ASSET_TYPES)[number];

export interface PlaybookTask {
  phase: PlaybookPhase;
  title: Localised;
  description: Localised;
  assignee: AssigneeRole;
  /** Due this many hours after the phase is entered. */
  dueHours: number;
}

export interface Playbook {
  id: string;
  file: string;
  title: Localised;
  category: CategoryId;
  /** Empty lists match everything. Techniques are written `t1110` or `t1110.001`. */
  match: { attack: string[]; assetTypes: AssetType[] };
  tasks: PlaybookTask[];
}

export class PlaybookError extends TableError {
  constructor(issues: readonly Issue[]) {
    super('playbooks', issues);
  }
}

// ── selection ───────────────────────────────────────────────────────────────────────────────

/** A playbook technique covers its sub-techniques: `t1110` matches the alert tag `attack.t1110.001`. */
const coversTag = (technique: string, tag: string): boolean => {
  const t = tag.toLowerCase().replace(/^attack\./, '');
  return t === technique || t.startsWith(`${technique}.`);
};

/** The playbooks that fit an incident, given its category, its alerts' tags and its assets' types. */
export function selectPlaybooks(playbooks: readonly Playbook[], incident: { category: CategoryId; tags: readonly string[]; assetTypes: readonly string[] }): Playbook[] {
  return playbooks.filter(
    (p) =>
      p.category === incident.category &&
      (p.match.attack.length === 0 || p.match.attack.some((t) => incident.tags.some((tag) => coversTag(t, tag)))) &&
      (p.match.assetTypes.length === 0 || p.match.assetTypes.some((t) => incident.assetTypes.includes(t))),
  );
}

export interface NewTask extends Omit<PlaybookTask, 'dueHours'> {
  playbookId: string;
  dueAt: Date;
}

/** The tasks to add when an incident enters `phase`, with due times counted from `enteredAt`. */
export function tasksOnEntering(playbooks: readonly Playbook[], phase: PlaybookPhase, enteredAt: Date): NewTask[] {
  return playbooks.flatMap((p) =>
    p.tasks
      .filter((t) => t.phase === phase)
      .map(({ dueHours, ...task }) => ({ ...task, playbookId: p.id, dueAt: new Date(enteredAt.getTime() + dueHours * 3_600_000) })),
  );
}

// ── loading ─────────────────────────────────────────────────────────────────────────────────

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const TECHNIQUE = /^t\d{4}(\.\d{3})?$/;
const HAN = /\p{Script=Han}/u;
// A task due more than 30 days after its phase starts is not incident work any more.
const MAX_DUE_HOURS = 720;
const PLAYBOOK_KEYS = ['id', 'title', 'category', 'match', 'tasks'];
const TASK_KEYS = ['phase', 'title', 'description', 'assignee', 'due_hours'];

/** Parses and validates every file; throws one PlaybookError listing every problem. */
export function parsePlaybooks(files: readonly { file: string; text: string }[]): Playbook[] {
  const issues: Issue[] = [];
  const out: Playbook[] = [];
  const seen = new Map<string, string>();
  for (const { file, text } of files) {
    const before = issues.length;
    const playbook = parseOne(file, text, (path, message) => issues.push({ file, path, message }));
    if (issues.length > before) continue;
    const first = seen.get(playbook.id);
    if (first !== undefined) issues.push({ file, path: 'id', message: `duplicate id (first in ${first})` });
    seen.set(playbook.id, file);
    out.push(playbook);
  }
  if (issues.length > 0) throw new PlaybookError(issues);
  return out;
}

/** Every `.yml`/`.yaml` file directly in `dir`, in name order. */
export function loadPlaybooks(dir: string): Playbook[] {
  const names = readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  return parsePlaybooks(names.map((n) => ({ file: join(dir, n), text: readFileSync(join(dir, n), 'utf8') })));
}

type Report = (path: string, message: string) => void;

function localised(v: unknown, path: string, issue: Report): Localised {
  if (!isMap(v)) {
    issue(path, v === undefined ? 'required' : 'must be a map with zh-CN and en');
    return { 'zh-CN': '', en: '' };
  }
  for (const k of Object.keys(v)) if (k !== 'zh-CN' && k !== 'en') issue(`${path}.${k}`, 'unknown language (zh-CN and en only)');
  const zh = v['zh-CN'];
  const en = v.en;
  if (typeof zh !== 'string' || zh.trim() === '') issue(`${path}.zh-CN`, 'required text');
  else if (!HAN.test(zh)) issue(`${path}.zh-CN`, 'must be written in Chinese');
  if (typeof en !== 'string' || en.trim() === '') issue(`${path}.en`, 'required text');
  return { 'zh-CN': typeof zh === 'string' ? zh : '', en: typeof en === 'string' ? en : '' };
}

function oneOf<T extends string>(v: unknown, values: readonly T[], path: string, issue: Report): T {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  issue(path, v === undefined ? 'required' : `must be one of ${values.join(', ')}`);
  return values[0];
}

function stringList(v: unknown, path: string, issue: Report, check: (s: string) => boolean, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issue(path, 'must be a list');
    return [];
  }
  v.forEach((s: unknown, i: number) => {
    if (typeof s !== 'string' || !check(s)) issue(`${path}[${i}]`, `must be ${what}`);
  });
  return v.filter((s): s is string => typeof s === 'string');
}

function parseOne(file: string, text: string, issue: Report): Playbook {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    issue('(yaml)', (e as Error).message.split('\n')[0]);
    doc = {};
  }
  const raw = isMap(doc) ? doc : {};
  if (!isMap(doc)) issue('(root)', 'must be a map');
  for (const k of Object.keys(raw)) if (!PLAYBOOK_KEYS.includes(k)) issue(k, 'unknown field');

  const id = typeof raw.id === 'string' && ID.test(raw.id) ? raw.id : '';
  if (id === '') issue('id', raw.id === undefined ? 'required' : 'must be lower-case words joined by hyphens');
  // One playbook per file, named after it, so a task in the console leads straight to its file.
  else if (basename(file).replace(/\.ya?ml$/, '') !== id) issue('id', `must match the file name (${basename(file)})`);

  let category: CategoryId = 'other';
  if (isCategoryId(raw.category)) category = raw.category;
  else issue('category', raw.category === undefined ? 'required' : 'must be a GB/T 20986-2023 category id');

  const match = { attack: [] as string[], assetTypes: [] as AssetType[] };
  if (raw.match !== undefined) {
    if (!isMap(raw.match)) issue('match', 'must be a map with attack and/or asset_types');
    else {
      for (const k of Object.keys(raw.match)) if (k !== 'attack' && k !== 'asset_types') issue(`match.${k}`, 'unknown field');
      match.attack = stringList(raw.match.attack, 'match.attack', issue, (s) => TECHNIQUE.test(s), 'an ATT&CK technique like t1110 or t1110.001');
      match.assetTypes = stringList(raw.match.asset_types, 'match.asset_types', issue, (s) => (ASSET_TYPES as readonly string[]).includes(s), `one of ${ASSET_TYPES.join(', ')}`) as AssetType[];
    }
  }

  const tasks: PlaybookTask[] = [];
  if (!Array.isArray(raw.tasks) || raw.tasks.length === 0) issue('tasks', 'must be a non-empty list');
  else
    raw.tasks.forEach((t: unknown, i: number) => {
      const at = `tasks[${i}]`;
      if (!isMap(t)) {
        issue(at, 'must be a map');
        return;
      }
      for (const k of Object.keys(t)) if (!TASK_KEYS.includes(k)) issue(`${at}.${k}`, 'unknown field');
      const dueHours = t.due_hours;
      if (!(typeof dueHours === 'number' && dueHours > 0 && dueHours <= MAX_DUE_HOURS)) issue(`${at}.due_hours`, dueHours === undefined ? 'required' : `must be a number of hours above 0 and at most ${MAX_DUE_HOURS}`);
      tasks.push({
        phase: oneOf(t.phase, PLAYBOOK_PHASES, `${at}.phase`, issue),
        title: localised(t.title, `${at}.title`, issue),
        description: localised(t.description, `${at}.description`, issue),
        assignee: oneOf(t.assignee, ASSIGNEE_ROLES, `${at}.assignee`, issue),
        dueHours: typeof dueHours === 'number' ? dueHours : 0,
      });
    });
  const titles = new Set<string>();
  tasks.forEach((t, i) => {
    if (t.title.en !== '' && titles.has(t.title.en)) issue(`tasks[${i}].title`, 'another task of this playbook has the same title');
    titles.add(t.title.en);
  });

  return { id, file, title: localised(raw.title, 'title', issue), category, match, tasks };
}
