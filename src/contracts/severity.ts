/** Alert severities, least to most severe: the rules file, the API and the console share them. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
