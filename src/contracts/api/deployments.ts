import * as z from 'zod/mini';
import { atLeastZero, latencyMs, nullableString, rate, time, wholeCount } from './values.ts';

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

/**
 * One version's requests over one window of a deploy comparison, weighted by the spans'
 * sampling weights like every figure: requests and failed ones (an entry span with status ERROR
 * or HTTP >= 500), the error rate (null without requests) and latency percentiles.
 */
export const versionFigures = z.strictObject({
  version: z.string(),
  from: time,
  to: time,
  requests: atLeastZero,
  requestsPerSecond: atLeastZero,
  failed: atLeastZero,
  errorRate: rate,
  latencyMs,
});

/** An error log pattern the new version logged that the previous one did not. */
export const newErrorPattern = z.strictObject({
  pattern: z.string(),
  /** One message of the pattern, as logged. */
  example: z.string(),
  /** Records of the pattern in the new version's window. */
  count: wholeCount,
});

/**
 * `worse`: the new version is worse beyond chance (error rate, p95 by a meaningful factor, or
 * new error patterns; `evidence` says which); `not-worse`; `too-early`: too few requests or too
 * short a time since the deploy to tell; `no-previous`: no earlier version to compare with.
 */
export const DEPLOY_VERDICTS = ['worse', 'not-worse', 'too-early', 'no-previous'] as const;

/**
 * A deploy's before/after comparison: the previous version's requests in the window before the
 * deploy against the new version's after it, the two windows of equal length.
 */
export const deploymentComparison = z.strictObject({
  service: z.string(),
  version: z.string(),
  previousVersion: nullableString,
  /** When the deploy happened: as asked (`at=`), else the newest deploy of the version found. */
  at: time,
  /** Null when there is no previous version. */
  before: z.nullable(versionFigures),
  after: z.nullable(versionFigures),
  newErrorPatterns: z.array(newErrorPattern),
  verdict: z.enum(DEPLOY_VERDICTS),
  /** Sentences that say why the verdict is what it is, with the figures. */
  evidence: z.array(z.string()),
});

export type VersionFigures = z.infer<typeof versionFigures>;
export type NewErrorPattern = z.infer<typeof newErrorPattern>;
export type DeployVerdict = (typeof DEPLOY_VERDICTS)[number];
export type DeploymentComparison = z.infer<typeof deploymentComparison>;
