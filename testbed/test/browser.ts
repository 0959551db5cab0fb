import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface PageCheck {
  images: Array<{ src: string; complete: boolean; naturalWidth: number }>;
  /** Inline SVG plots: their rendered size in the page. */
  svgs: Array<{ width: number; height: number }>;
  /** Each figure: its title, its plot's rendered size and how many point marks it draws. */
  figures: Array<{ title: string; width: number; height: number; points: number }>;
  title: string;
}

/** Open an HTML file in headless Debian Chromium, check its images and save a full-page screenshot. */
export async function openReport(htmlFile: string, screenshot: string): Promise<PageCheck> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-chromium-'));
  // a new, empty user data dir per run
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${path.resolve(htmlFile)}`, { waitUntil: 'load', timeout: 20_000 });
    // evaluated in the page (a string: the test project has no DOM types)
    const images = (await page.evaluate(
      `Array.from(document.images).map((i) => ({ src: i.getAttribute('src') || '', complete: i.complete, naturalWidth: i.naturalWidth }))`,
    )) as PageCheck['images'];
    const svgs = (await page.evaluate(
      `Array.from(document.querySelectorAll('figure svg')).map((e) => { const b = e.getBoundingClientRect(); return { width: b.width, height: b.height }; })`,
    )) as PageCheck['svgs'];
    const figures = (await page.evaluate(
      `Array.from(document.querySelectorAll('figure')).filter((f) => f.querySelector('svg')).map((f) => { const b = f.querySelector('svg').getBoundingClientRect(); return { title: (f.querySelector('h3') || {}).textContent || '', width: b.width, height: b.height, points: f.querySelectorAll('path[aria-roledescription="point"]').length }; })`,
    )) as PageCheck['figures'];
    await page.screenshot({ path: screenshot, fullPage: true });
    return { images, svgs, figures, title: await page.title() };
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}
