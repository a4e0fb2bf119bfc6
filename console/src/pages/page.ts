import type { MessageKey } from '../core/i18n.js';
import type { Role } from '../core/session.js';

/** What a page gets from the shell. */
export interface PageContext {
  /** The page's area inside <main>; the page owns its contents. */
  root: HTMLElement;
  /** The query part of the address (#/events?q=sshd): filters, paging, the open item. */
  params: URLSearchParams;
  /** Records new filters in the address without leaving the page. */
  setParams(params: URLSearchParams): void;
  /** Runs when the user leaves the page (timers, charts). */
  onDispose(fn: () => void): void;
}

/** A page module: one file under pages/ exporting `render`. */
export interface PageModule {
  render(ctx: PageContext): Promise<void> | void;
}

export interface PageEntry {
  /** The address after #, e.g. /alerts. */
  path: string;
  /** Navigation label and document title. */
  title: MessageKey;
  /** Who sees the entry and may open the page; the API enforces the same on every call. */
  roles: readonly Role[];
  group: 'main' | 'admin';
  load(): Promise<PageModule>;
}
