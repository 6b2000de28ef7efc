import * as z from 'zod/mini';
import { nullableString, time } from './values.ts';

/**
 * Where a deploy is known from: `detected` from the spans themselves (the version a service's
 * spans carry, `Resource.service.version`, changed), `marked` by a pipeline that said so
 * (`POST /api/v1/deployments`).
 */
export const DEPLOYMENT_SOURCES = ['detected', 'marked'] as const;

/** One deploy of a version of a service. */
export const deployment = z.strictObject({
  service: z.string(),
  version: z.string(),
  /** When it happened: for a detected deploy, the new version's first span. */
  at: time,
  source: z.enum(DEPLOYMENT_SOURCES),
  /** The version its spans carried before; null for a marked deploy. */
  previousVersion: nullableString,
  /** Who deployed, and a link (a pipeline run, a release); null when the marker had none. */
  by: nullableString,
  link: nullableString,
});

/**
 * What the service's spans in the range say about versions: `versioned` (the versions seen, in
 * order of their first span), `unversioned` (spans, none with `service.version`: no deploy can
 * be detected) or `no-spans`. `note` says it in words.
 */
export const versionDetection = z.strictObject({
  status: z.enum(['versioned', 'unversioned', 'no-spans']),
  versions: z.array(z.string()),
  note: z.string(),
});

export const deploymentList = z.strictObject({
  service: z.string(),
  from: time,
  to: time,
  /** Detected and marked deploys in the range, oldest first. */
  deployments: z.array(deployment),
  detection: versionDetection,
});

export type Deployment = z.infer<typeof deployment>;
export type VersionDetection = z.infer<typeof versionDetection>;
