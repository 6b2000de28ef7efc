/**
 * `node --import lantern/register app.mjs` (ESM) or `node --require lantern/register app.cjs`
 * (CJS): instruments the app with no code change. For ESM apps the import-in-the-middle loader
 * hook is registered before the app's first import, so `import express from 'express'` is
 * instrumented as well as `require('express')`.
 */
import { register } from 'node:module';
import { startTelemetry } from './telemetry.ts';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
startTelemetry();
