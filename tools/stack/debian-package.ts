import { StackError } from './errors.ts';
import { isRoot } from './paths.ts';
import { step } from './progress.ts';
import { run, which } from './toolchain.ts';

let updated = false;

/** The executable from a Debian package; installs the package with apt-get when root. */
export async function debianExecutable(command: string, pkg: string): Promise<string> {
  const found = which(command);
  if (found) return found;
  const aptGet = which('apt-get');
  if (!isRoot || !aptGet) {
    throw new StackError(
      `\`${command}\` not found on PATH: install the Debian package "${pkg}" (apt-get install ${pkg}) or put ${command} on PATH`,
    );
  }
  step(pkg, `installing the Debian package ${pkg}`);
  if (!updated) {
    await run(pkg, aptGet, ['update', '-q']);
    updated = true;
  }
  await run(pkg, aptGet, ['install', '-y', '-q', '--no-install-recommends', pkg], {
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = which(command);
  if (!installed)
    throw new StackError(`package ${pkg} installed but \`${command}\` is still not on PATH`);
  return installed;
}
