/**
 * The admin console in a real browser for the UI suites: Debian's Chromium driven by
 * playwright-core, a signed-in context per admin (through the sign-in form), axe-core's serious and
 * critical violations on the page as drawn, and full-page screenshots with animations finished.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const builtAdminUi = fileURLToPath(new URL('../../../admin/dist', import.meta.url));
const chromiumPath = '/usr/bin/chromium';
/** The axe impacts the suites fail on. */
const failingImpacts = new Set(['serious', 'critical']);

/** Fails fast when the SPA is not built or Chromium is missing, then launches it headless. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(path.join(builtAdminUi, 'index.html'))) {
    throw new Error(`The admin UI is not built (no ${builtAdminUi}/index.html): run \`npm run build:admin\` first.`);
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: run \`apt-get install -y chromium fonts-liberation\` (CI does).`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface SignInOptions {
  baseUrl: string;
  email: string;
  password: string;
  /** Every context opened, for the suite to close. */
  contexts: BrowserContext[];
  /** Where the page's uncaught errors go. */
  pageErrors: string[];
}

/** A browser context of its own, signed in through the sign-in form. */
export async function signedIn(browser: Browser, { baseUrl, email, password, contexts, pageErrors }: SignInOptions): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(context);
  // Fail fast with a locator's own message rather than at jest's 30 s limit.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${baseUrl}/`);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('menuitem', { name: 'Dashboard' }).waitFor();
  return page;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

let axeSource: string | undefined;

/**
 * axe-core's serious and critical violations on the page once its transitions have finished: a
 * notification or dialog fading in has, half-way, colours it never keeps.
 */
export async function seriousViolations(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(async () => {
    const inPage = globalThis as unknown as { document: { getAnimations: () => { finished: Promise<unknown> }[] } };
    await Promise.allSettled(inPage.document.getAnimations().map((animation) => animation.finished));
  });
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // The page's own globals: this suite compiles without the DOM library.
    const inPage = globalThis as unknown as { axe: { run: (context: unknown, options: object) => Promise<{ violations: AxeViolation[] }> }; document: unknown };
    return (await inPage.axe.run(inPage.document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((violation) => failingImpacts.has(violation.impact ?? ''))
    .map((violation) => ({ id: violation.id, help: violation.help, targets: violation.nodes.map((node) => `${JSON.stringify(node.target)}: ${node.failureSummary ?? ''}`) }));
}

/** A full-page screenshot into `directory`; `animations: 'disabled'` finishes MUI's fades, so a dialog is captured fully drawn. */
export async function screenshot(page: Page, directory: string, name: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: path.join(directory, `${name}.png`), fullPage: true, animations: 'disabled' });
}
