export { startTelemetry, type StartOptions, type TelemetryHandle } from './tracing/telemetry.ts';
export { WEIGHT_ATTRIBUTE } from './tracing/sampler/weighted-span.ts';
