import { builtinModules, createRequire } from 'node:module';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';

const builtins = new Set(builtinModules);

/**
 * Whether the app can load `name`, answered without loading it: a Node builtin, a package Node
 * resolves from one of `from` (its node_modules folders up to the root, NODE_PATH, the global
 * folders), or one pnpm hoisted into `node_modules/.pnpm/node_modules` (where a dependency's own
 * dependencies live under pnpm's strict layout).
 */
export function canLoad(name: string, from: readonly string[]): boolean {
  if (builtins.has(name)) return true;
  return from.some((dir) => resolvesFrom(dir, name) || hoistedByPnpm(dir, name));
}

function resolvesFrom(dir: string, name: string): boolean {
  try {
    createRequire(join(dir, 'noop.js')).resolve(`${name}/package.json`);
    return true;
  } catch (error) {
    // The package is there; it just does not export its package.json.
    return (error as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

function hoistedByPnpm(dir: string, name: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules', '.pnpm', 'node_modules', name))) return true;
    if (at === parse(at).root) return false;
  }
}

/** Where the app resolves its imports from: its main script's folder and the working folder. */
export function appFolders(argv: readonly string[] = process.argv, cwd = process.cwd()): string[] {
  const main = argv[1];
  const folders = [cwd];
  if (main) {
    try {
      folders.unshift(dirname(realpathSync(main)));
    } catch {
      // `node -e`, the REPL or a main file that is not there yet: the working folder it is.
    }
  }
  return [...new Set(folders)];
}
