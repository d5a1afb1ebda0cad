/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), and what a page does wrong: console
 * errors, uncaught exceptions, failed requests and HTTP errors are collected so that a test fails on any it did
 * not expect.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './renderer';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SCREENSHOTS_DIR = path.join(ROOT, 'test-artifacts', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** The session token has no place in a failure message. */
const redact = (text: string) => text.replace(/([?&]token=)[^&\s"']+/g, '$1…');

/** Everything a page reported as wrong since the last `take`. */
export class PageProblems {
  private list: string[] = [];

  constructor(page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.add(`console error: ${message.text()} (at ${message.location().url})`);
    });
    page.on('pageerror', (error) => this.add(`uncaught exception: ${error.stack ?? error.message}`));
    page.on('requestfailed', (request) => {
      const reason = request.failure()?.errorText ?? 'unknown';
      // The browser's own choice (a reload, an image whose tile scrolled away), not something that failed.
      if (reason !== 'net::ERR_ABORTED') this.add(`request failed: ${request.method()} ${request.url()}: ${reason}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) this.add(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    });
  }

  private add(problem: string): void {
    this.list.push(redact(problem));
  }

  /** The problems that match none of `expected`; clears the list. */
  take(expected: readonly RegExp[] = []): string[] {
    const unexpected = this.list.filter((p) => !expected.some((e) => e.test(p)));
    this.list = [];
    return unexpected;
  }
}

/** Saves what the page shows as `test-artifacts/screenshots/<name>.png`; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}
