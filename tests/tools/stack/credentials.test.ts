import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  esLogin,
  securedCredentials,
  WEB_USER,
  webLogin,
} from '../../../tools/stack/credentials.ts';
import { loadStackSettings } from '../../../tools/stack/settings.ts';

/** A state folder holding a secured stack's secrets, as stack:up --secure leaves them. */
function securedStateDir(): string {
  const stateDir = mkdtempSync(join(tmpdir(), 'lantern-credentials-'));
  mkdirSync(join(stateDir, 'secure'));
  writeFileSync(join(stateDir, 'secure', 'ca.crt'), 'the local CA');
  writeFileSync(
    join(stateDir, 'secure', 'secrets.json'),
    JSON.stringify({ jaegerPassword: 'j', setupPassword: 's' }),
  );
  return stateDir;
}

describe('the secured stack’s logins', () => {
  it('come from the secure folder of the state folder the settings name, in secured mode only', () => {
    const stateDir = securedStateDir();
    const plain = loadStackSettings({ LANTERN_STATE_DIR: stateDir });
    const secured = loadStackSettings({ LANTERN_STATE_DIR: stateDir, LANTERN_SECURE: '1' });
    expect(securedCredentials(plain)).toBeUndefined();
    expect(webLogin('jaeger', plain)).toBeUndefined();
    expect(securedCredentials(secured)?.caFile).toBe(join(stateDir, 'secure', 'ca.crt'));
    expect(webLogin('jaeger', secured)).toEqual({
      ca: 'the local CA',
      username: WEB_USER,
      password: 'j',
    });
    expect(esLogin('setup', secured)).toMatchObject({ username: 'lantern_setup', password: 's' });
  });

  it('name the command that makes them when a secured stack has none yet', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'lantern-credentials-'));
    const empty = loadStackSettings({ LANTERN_STATE_DIR: stateDir, LANTERN_SECURE: '1' });
    expect(() => webLogin('prometheus', empty)).toThrow(/npm run stack:up -- --secure/);
  });
});
