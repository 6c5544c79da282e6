/**
 * Headless Chromium for tests: Debian's `chromium` (installed by .ci/run) driven by
 * playwright-core; never a downloaded browser. Collects console errors and failed requests.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
}

/** Opens `url` in a fresh headless page, runs `check`, closes the browser. */
export async function withPage<T>(
  url: string,
  check: (page: Page, problems: PageProblems) => Promise<T>,
): Promise<T> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does, or set CHROMIUM_PATH`,
    );
  }
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage();
    const problems: PageProblems = { consoleErrors: [], failedRequests: [] };
    page.on("console", (message) => {
      if (message.type() === "error") problems.consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => problems.consoleErrors.push(error.message));
    page.on("requestfailed", (request) => problems.failedRequests.push(request.url()));
    await page.goto(url, { waitUntil: "load" });
    return await check(page, problems);
  } finally {
    await browser.close();
  }
}

/** The images of the page that did not load (naturalWidth 0), by src. */
export async function brokenImages(page: Page): Promise<string[]> {
  return page.$$eval("img", (images) =>
    images
      .filter(
        (img) =>
          !(img as HTMLImageElement).complete || (img as HTMLImageElement).naturalWidth === 0,
      )
      .map((img) => (img as HTMLImageElement).src),
  );
}
