/** Current @opentelemetry/* packages need this Node.js or newer. */
export const MIN_NODE = [22, 15] as const;

/**
 * Fails with a clear message on an older Node.js. `npm install` puts Node 22 (the `node`
 * devDependency) first on PATH for every npm script, so this only trips when scripts are run
 * outside npm with an older system Node.
 */
export function requireNode(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor, minMinor] = MIN_NODE;
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return;
  throw new Error(
    `Lantern needs Node.js >= ${minMajor}.${minMinor} (this is ${version}). Run it through npm ` +
      '(npm start, npm test, npm run stack:up), which uses the Node 22 that npm install provides.',
  );
}
