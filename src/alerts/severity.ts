import { SEVERITIES, type Severity } from '../contracts/severity.ts';

/** 1 (low) to 4 (critical): what "most severe first" sorts on. */
export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity) + 1;
