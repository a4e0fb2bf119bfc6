/**
 * Keyboard triage of a list: j and k move a cursor over the table's rows,
 * and the page's own keys act on the row under it. Keys are left alone while the user types in a
 * field, while a dialog is open, or with a modifier held, so they never steal ordinary typing.
 */
export class RowCursor {
  private key: string | undefined;

  constructor(
    private readonly rows: HTMLElement,
    private readonly actions: Record<string, (key: string | undefined) => void>,
    private readonly enabled: () => boolean = () => true,
  ) {}

  /** The row the cursor is on, by its key. */
  get current(): string | undefined {
    return this.key;
  }

  /** Marks the cursor's row again after the table was drawn anew, so j/k go on from where they were. */
  mark(): void {
    this.trs().find((tr, i) => keyOf(tr, i) === this.key)?.classList.add('row-cursor');
  }

  /** Listens on the document until the returned function is called (the page's dispose). */
  listen(): () => void {
    const onKey = (event: KeyboardEvent) => this.onKey(event);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.enabled() || event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) return;
    if ((event.target as HTMLElement).closest('input, select, textarea, [contenteditable]')) return;
    const act = event.key === 'j' ? () => this.move(1) : event.key === 'k' ? () => this.move(-1) : this.actions[event.key] && (() => this.actions[event.key](this.key));
    if (!act) return;
    event.preventDefault();
    act();
  }

  private move(step: number): void {
    const trs = this.trs();
    if (!trs.length) return;
    const at = trs.findIndex((tr, i) => keyOf(tr, i) === this.key);
    const to = Math.max(0, Math.min(trs.length - 1, at < 0 ? 0 : at + step));
    const next = trs[to];
    for (const tr of trs) tr.classList.toggle('row-cursor', tr === next);
    this.key = keyOf(next, to);
    // The row's own link or button takes focus, so Enter opens it and the row scrolls into view.
    next.querySelector<HTMLElement>('td a, td .btn-link')?.focus();
  }

  private trs(): HTMLTableRowElement[] {
    return [...this.rows.querySelectorAll<HTMLTableRowElement>('tbody tr')];
  }
}

/** A row's key: its `data-key` where the table has one (selectable rows), else its position. */
const keyOf = (tr: HTMLTableRowElement, index: number) => tr.dataset.key ?? `#${index}`;
