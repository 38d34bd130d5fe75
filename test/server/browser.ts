/** Headless Chromium for dashboard tests (the system's chromium; playwright-core ships no browser). */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GTC_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set GTC_CHROMIUM)`;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and dialogs (an alert() would mean injected script ran). */
  problems: string[];
}

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/** Waits until the chart's canvases show more than one colour (the candles drew). */
export async function chartDrawn(page: Page, timeoutMs = 10_000): Promise<boolean> {
  try {
    await page.waitForFunction(
      () => {
        for (const canvas of document.querySelectorAll<HTMLCanvasElement>('#candles canvas')) {
          if (!canvas.width || !canvas.height) continue;
          const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
          if (!data) continue;
          const colours = new Set<number>();
          for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i] ?? 0) * 65_536 + (data[i + 1] ?? 0) * 256 + (data[i + 2] ?? 0));
          if (colours.size > 3) return true;
        }
        return false;
      },
      undefined,
      { timeout: timeoutMs, polling: 200 },
    );
    return true;
  } catch {
    return false;
  }
}
