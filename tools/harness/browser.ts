import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { debianExecutable } from '../stack/debian-package.ts';
import { stackPaths } from '../stack/paths.ts';

/**
 * Flags Chromium needs here: headless as root, and without the background networking that a
 * closed network answers with refused connections by the dozen.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Where browser tests and benchmarks keep their screenshots (git-ignored): the state folder of
 * the stack this process was started against, as otlp.ts's `stack` is its endpoints.
 */
export const screenshotDir = join(stackPaths(process.env).stateDir, 'screenshots');

/**
 * Debian's Chromium driven by playwright-core (which downloads no browser). Installs the Debian
 * package `chromium` when it is missing, as the stack does for Prometheus.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await debianExecutable('chromium', 'chromium');
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath,
    // Playwright gives every launch a new, empty profile of its own.
    args: FLAGS,
  });
}
