import { describe, expect, it } from 'vitest';
import { chargeByComponent, componentOfChain } from '../../bench/cpu-profile.ts';

// Frames as `perf script -F tid,period,ip,sym,dso` prints them, innermost first.
const jsonParseUnderPino = [
  '\t    55d1c0a1b2c3 v8::internal::JsonParser<unsigned char>::ParseJsonValue<false> (/usr/bin/node)',
  '\t    7fbb6c17132c JS:*write file:///srv/app/node_modules/lantern/dist/tracing/pino-log-records.js:23:18 (/tmp/perf-1.map)',
  '\t    7fbb6c17132d JS:*_write file:///srv/app/node_modules/@opentelemetry/instrumentation-pino/dist/log-sending-utils.mjs:92:8 (/tmp/perf-1.map)',
];
const nodeInternalsUnderExpress = [
  '\t    ffffffff8a2b clear_page_erms ([kernel.kallsyms])',
  '\t    7fbb6c2217c9 JS:*writeHead node:_http_server:351:19 (/tmp/perf-1.map)',
  '\t    7fbb6c22857d JS:*app /srv/app/node_modules/express/lib/express.js:37:21 (/tmp/perf-1.map)',
];
const anonymousAppFrame = [
  '\t    7fbb6c2200aa JS:* file:///srv/app/bench/fixtures/app.mjs:15:21 (/tmp/perf-1.map)',
];
const scavenger = [
  '\t    55d1c0a1b2c3 __memmove_avx512_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)',
  '\t    55d1c0a1b2c4 v8::internal::Scavenger::ScavengePage (/usr/bin/node)',
];
const parser = ['\t    55d1c0a1b2c5 llhttp__internal_execute (/usr/bin/node)'];

describe('charging perf samples to components', () => {
  it('charges native work to the innermost JavaScript frame that belongs to a component', () => {
    expect(componentOfChain(jsonParseUnderPino)).toBe('Lantern: the rest of the bootstrap');
    expect(componentOfChain(jsonParseUnderPino.filter((_, i) => i !== 1))).toBe(
      'log path (pino instrumentation, SDK log records)',
    );
  });

  it("charges Node's internals and the kernel under them to the package that called them", () => {
    expect(componentOfChain(nodeInternalsUnderExpress)).toBe('app, express, pino (plain work)');
    expect(componentOfChain(anonymousAppFrame)).toBe('app, express, pino (plain work)');
  });

  it('names samples without JavaScript by what V8 or node was doing', () => {
    expect(componentOfChain(scavenger)).toBe('garbage collector');
    expect(componentOfChain(parser)).toBe('node: libuv, HTTP parser, kernel, internals');
  });

  it('sums each sample period into its component', () => {
    const listing = [
      ['  4242   500000 ', ...scavenger].join('\n'),
      ['  4242   250000 ', ...scavenger].join('\n'),
      ['  4243   500000 ', ...jsonParseUnderPino].join('\n'),
    ].join('\n\n');
    expect(chargeByComponent(listing)).toEqual(
      new Map([
        ['garbage collector', 750_000],
        ['Lantern: the rest of the bootstrap', 500_000],
      ]),
    );
  });
});
