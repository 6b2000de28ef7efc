export { startTelemetry, type StartOptions, type TelemetryHandle } from './tracing/telemetry.ts';
export { WEIGHT_ATTRIBUTE } from './contracts/sampling-weight.ts';
