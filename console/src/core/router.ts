/** Hash routes: #/alerts?status=open. The server serves one page; links and reloads keep their place. */
export interface Route {
  path: string;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  return { path: path || '/', params: new URLSearchParams(query) };
}

export function href(path: string, params?: Record<string, string | undefined> | URLSearchParams): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params ?? {}).filter((e): e is [string, string] => !!e[1]));
  const qs = p.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(path: string, params?: Record<string, string | undefined> | URLSearchParams): void {
  location.hash = href(path, params);
}

/** Records the page's state (filters, page) in the address without reloading the page. */
export function replaceParams(params: URLSearchParams): void {
  history.replaceState(null, '', href(currentRoute().path, params));
}

export function onRouteChange(listener: () => void): void {
  window.addEventListener('hashchange', listener);
}
