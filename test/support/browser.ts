import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');
const webSource = path.join(root, 'console');
// What the build reads; console/dist and any node_modules there are outputs, not sources.
const webInputs = ['src', 'static', 'tsconfig.json'].map((p) => path.join(webSource, p));
export const SCREENSHOTS = path.join(root, 'test-output/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/**
 * The console as `npm run build` makes it (its own tsc project plus the static files), built into
 * a temporary folder named by the sources' hash, so test files share one build and dist/ is left
 * alone. Pass the result as TAISHI_CONSOLE_DIR.
 */
export async function buildConsole(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of webInputs.flatMap((p) => (statSync(p).isDirectory() ? filesUnder(p) : [p])).sort()) hash.update(file).update(readFileSync(file));
  const target = path.join(tmpdir(), `taishi-console-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(path.join(target, 'main.js')) && existsSync(path.join(target, 'index.html'))) return target;
  const staging = await mkdtemp(path.join(tmpdir(), 'taishi-console-build-'));
  try {
    await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(webSource, 'tsconfig.json'), '--outDir', staging], { cwd: root });
    cpSync(path.join(webSource, 'static'), staging, { recursive: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another test file built the same sources at the same moment: theirs is as good.
      if (!existsSync(path.join(target, 'main.js'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Console messages and page errors that point at a defect (CSP refusals, uncaught errors). */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Headless Debian chromium driven by playwright-core, with a fresh profile: every call is a new
 * browser with no cookies, as a new user would come.
 */
export async function openBrowser(options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH`);
  const profile = await mkdtemp(path.join(tmpdir(), 'taishi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'zh-CN',
    timezoneId: 'UTC',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(m.text());
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  };
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot under test-output/screenshots/ (git-ignored), for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Logs in through the console's login form. */
export async function loginThroughForm(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(登录|Log in)$/ }).click();
  await page.locator('nav.sidebar').waitFor();
}

/** Every form control the console shows has a name a screen reader can read. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  // Runs in the page; typed loosely because this project's tests compile without the DOM library.
  return page.locator('input, select, textarea, button').evaluateAll((elements: any[]) =>
    elements
      .filter((el) => !el.closest('[hidden]') && el.type !== 'hidden')
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) && !(el.tagName === 'BUTTON' && el.textContent.trim()))
      .map((el) => String(el.outerHTML).slice(0, 120)),
  );
}

/** Waits until the page's table shows n rows. (Functions, not strings: the console's CSP forbids eval.) */
export function rowCount(page: Page, n: number) {
  return page.waitForFunction((count: number) => (globalThis as any).document.querySelectorAll('main table tbody tr').length === count, n);
}

/** Waits (up to 10 s after the element shows) until the element's text matches. */
export async function expectText(locator: Locator, pattern: RegExp): Promise<void> {
  await locator.first().waitFor();
  const deadline = Date.now() + 10_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.first().textContent()) ?? '';
    if (pattern.test(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Expected ${pattern} in: ${text.slice(0, 500)}`);
}

/**
 * What every browser test file needs, registered in its describe block: browsers opened (and
 * logged in) per test, closed after each test with no page errors allowed, navigation that
 * waits for the page to load, screenshots under the database target's name, and the label check.
 */
export function consoleHarness(target: string, baseUrl: () => string) {
  const browsers: ConsoleBrowser[] = [];
  afterEach(async () => {
    for (const b of browsers.splice(0)) {
      const problems = b.problems.slice();
      await b.close();
      expect(problems).toEqual([]);
    }
  });
  const open = async (options?: Parameters<typeof openBrowser>[0]) => {
    const b = await openBrowser(options);
    browsers.push(b);
    return b;
  };
  return {
    open,
    asUser: async (username: string, password: string, options?: Parameters<typeof openBrowser>[0]) => {
      const b = await open(options);
      await loginThroughForm(b.page, baseUrl(), username, password);
      return b;
    },
    go: async (page: Page, hash: string) => {
      const target = `${baseUrl()}/#${hash}`;
      // A new hash keeps the old page on screen until the new one has rendered: mark the old heading so
      // the wait below is for the new page's, not satisfied at once by the page being left.
      await page.evaluate((url: string) => {
        const doc = (globalThis as any).document;
        if (doc.location.hash !== new URL(url).hash) for (const el of doc.querySelectorAll('main h1')) el.setAttribute('data-left', '');
      }, target);
      await page.goto(target);
      await page.locator('main h1:not([data-left])').first().waitFor();
      await page.locator('main .loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
    },
    shot: (page: Page, label: string) => screenshot(page, `${target}/${label}`),
    noUnlabelled: async (page: Page, where: string) => expect({ where, unlabelled: await unlabelledControls(page) }).toEqual({ where, unlabelled: [] }),
  };
}

const axeSource = () => readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core findings on the page as it stands, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, so the page's CSP (script-src 'self') does not apply to axe itself.
  await page.evaluate(await axeSource());
  return (await page.evaluate(() =>
    (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] }).then((r: any) =>
      r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
    ),
  )) as string[];
}

/** Sets the logged-in user's language and reloads, as the header's language link does. */
export async function setLanguage(page: Page, lang: 'en' | 'zh-CN'): Promise<void> {
  await page.evaluate(async (l: string) => {
    await fetch('/api/auth/me', { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-taishi-csrf': '1' }, body: JSON.stringify({ language: l }) });
  }, lang);
  await page.reload();
  await page.locator('nav.sidebar').waitFor();
}
