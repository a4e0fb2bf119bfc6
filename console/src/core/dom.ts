/**
 * A small element builder. Pages build the DOM from data with it instead of HTML strings, so
 * nothing a log line contains can ever be read as markup, and no inline style or script exists
 * for the Content-Security-Policy to refuse.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Listener = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Listener | null | undefined>;

let nextId = 0;
/** A unique id for label/control and aria-describedby pairs. */
export function uid(prefix = 'ts'): string {
  return `${prefix}-${++nextId}`;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else if (name === 'checked' && el instanceof HTMLInputElement) el.checked = value === true;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Element | DocumentFragment, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces everything inside `el` with the children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

type DraftField = HTMLInputElement | HTMLTextAreaElement;
// Typed fields only: a select or checkbox on these pages saves as soon as it changes.
const DRAFT_FIELDS = 'textarea[name], input[name]:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file])';

/** A field's place on the page: its card's heading and its name, the same after a redraw. */
function draftKey(field: DraftField): string {
  return `${field.closest('section')?.querySelector('h2')?.textContent ?? ''}\u0000${field.name}`;
}

/**
 * A region redrawn after each action without losing what the user typed elsewhere in it: fields
 * edited and not yet sent are put back, by card and name, into the new drawing. Sending a form
 * (its submit event) gives its fields up, so what was just sent is not typed in again.
 */
export class DraftKeeper {
  constructor(private readonly root: HTMLElement) {
    root.addEventListener('input', (event) => {
      if ((event.target as Element).matches?.(DRAFT_FIELDS)) (event.target as HTMLElement).dataset.draft = '1';
    });
    root.addEventListener('submit', (event) => {
      for (const field of (event.target as HTMLFormElement).querySelectorAll<DraftField>(DRAFT_FIELDS)) delete field.dataset.draft;
    }, true);
  }

  /** Replaces the region's content, keeping the drafts. */
  replace(...children: Child[]): void {
    const drafts = new Map<string, string>();
    for (const field of this.root.querySelectorAll<DraftField>(DRAFT_FIELDS)) if (field.dataset.draft) drafts.set(draftKey(field), field.value);
    replace(this.root, ...children);
    for (const field of this.root.querySelectorAll<DraftField>(DRAFT_FIELDS)) {
      const value = drafts.get(draftKey(field));
      if (value === undefined) continue;
      field.value = value;
      field.dataset.draft = '1';
    }
  }
}
