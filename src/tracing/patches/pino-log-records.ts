/**
 * Patch of @opentelemetry/instrumentation-pino >=0.70.0 <0.71.0, for pino >=10.0.0 <11.0.0
 * (ranges in ./upstream.ts). Relies on: the instrumentation's patched pino factory putting an
 * `OTelPinoStream` into a pino multistream at `logger[pino.symbols.streamSym]`; that stream's
 * `_write(line, encoding, done)` making the log record at once from its `lastLevel`; and pino's
 * multistream setting `lastLevel` on every stream marked with `Symbol.for('pino.metadata')`.
 */
import type { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';

/** What pino's multistream hands a stream it writes to (pino's own `pino.metadata` contract). */
const metadata = Symbol.for('pino.metadata');

/** The instrumentation's record-making stream, as far as it is called here. */
interface RecordStream {
  lastLevel: unknown;
  _write(line: string, encoding: string, done: () => void): void;
}

interface MultistreamEntry {
  stream: unknown;
}

interface PinoModule {
  readonly symbols: { readonly streamSym: symbol };
}

type Factory = ((...args: unknown[]) => Record<symbol, unknown>) & Record<string, unknown>;

/** The class of the instrumentation's record-making stream, known by name: it is not exported. */
export const RECORD_STREAM_CLASS = 'OTelPinoStream';

const isRecordStream = (stream: unknown): stream is RecordStream =>
  typeof stream === 'object' &&
  stream !== null &&
  stream.constructor.name === RECORD_STREAM_CLASS &&
  typeof (stream as Partial<RecordStream>)._write === 'function';

const done = (): void => undefined;

/**
 * Calls the instrumentation's record-making stream directly: its `_write` turns one line into a
 * log record and calls back at once. Through `Writable.write` every line was first copied into a
 * Buffer, decoded back into a string for JSON.parse, and cost an after-write tick: most of what
 * a log line cost beyond plain pino.
 */
function direct(logger: Record<symbol, unknown>, pino: PinoModule): void {
  const destination = logger[pino.symbols.streamSym] as
    { streams?: MultistreamEntry[] } | undefined;
  for (const entry of destination?.streams ?? []) {
    const records = entry.stream;
    if (!isRecordStream(records)) continue;
    entry.stream = {
      [metadata]: true,
      lastLevel: 0,
      write(this: { lastLevel: unknown }, line: string): void {
        records.lastLevel = this.lastLevel;
        records._write(line, 'utf8', done);
      },
    };
    return;
  }
}

/** Wraps the instrumentation's patched pino factory so every logger it makes sends directly. */
function directFactory(patched: unknown, moduleExports: unknown): unknown {
  if (typeof patched !== 'function') return patched;
  const module = moduleExports as Record<string | symbol, unknown>;
  const isESM = module[Symbol.toStringTag] === 'Module';
  const pino = (isESM ? module.default : module) as PinoModule;
  const make = patched as Factory;
  const factory: Factory = Object.assign((...args: unknown[]) => {
    const logger = make(...args);
    direct(logger, pino);
    return logger;
  }, make);
  if (typeof make.pino === 'function') factory.pino = factory;
  if (typeof make.default === 'function') factory.default = factory;
  if (isESM) {
    if (module.pino) module.pino = factory;
    module.default = factory;
  }
  return factory;
}

/**
 * The pino instrumentation, sending each line's log record without a stream in between; what a
 * record holds is unchanged (the instrumentation still makes it).
 */
export function withDirectLogRecords(Base: typeof PinoInstrumentation): typeof PinoInstrumentation {
  return class DirectPinoInstrumentation extends Base {
    protected override init(): InstrumentationNodeModuleDefinition[] {
      const definitions = super.init();
      for (const definition of definitions) {
        const patch = definition.patch;
        if (patch)
          definition.patch = (exports, version) => directFactory(patch(exports, version), exports);
      }
      return definitions;
    }
  };
}
