import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors.ts';
import { run } from './toolchain.ts';

const CONTRIB = 'github.com/open-telemetry/opentelemetry-collector-contrib/extension';
/** The add-on every Jaeger v2 release registers beside where basic auth goes. */
const ANCHOR = 'sigv4authextension';

/**
 * Jaeger v2.12 (module v1.75.0, the approved release) registers no `basicauth` extension; v2.13
 * added it. The secured mode guards Jaeger's query API and OTLP receiver with it, so the build
 * adds the Collector contrib's basicauth extension, at the contrib release Jaeger's own go.mod
 * already uses, to `cmd/jaeger/internal/components.go` in the writable copy it builds from. The
 * edit is refused, naming the file, when that file no longer looks as expected.
 */
export async function addBasicAuth(
  src: string,
  go: string,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  const components = join(src, 'cmd', 'jaeger', 'internal', 'components.go');
  const code = readFileSync(components, 'utf8');
  if (code.includes('basicauthextension.NewFactory()')) return;
  const version = new RegExp(`${CONTRIB}/${ANCHOR} (v\\S+)`).exec(
    readFileSync(join(src, 'go.mod'), 'utf8'),
  )?.[1];
  const importLine = `\t"${CONTRIB}/${ANCHOR}"\n`;
  const factoryLine = `\t\t${ANCHOR}.NewFactory(),\n`;
  if (!version || !code.includes(importLine) || !code.includes(factoryLine)) {
    throw new StackError(
      `cannot add basicauth to Jaeger: ${components} or go.mod no longer registers ${ANCHOR} as expected`,
    );
  }
  writeFileSync(
    components,
    code
      .replace(importLine, `\t"${CONTRIB}/basicauthextension"\n${importLine}`)
      .replace(factoryLine, `\t\tbasicauthextension.NewFactory(),\n${factoryLine}`),
  );
  await run('jaeger', go, ['get', `${CONTRIB}/basicauthextension@${version}`], { cwd: src, env });
}
