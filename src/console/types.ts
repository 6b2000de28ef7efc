/** The API's answers, as the console reads them (see /api/v1/openapi.json). */
export interface ServiceSummary {
  service: string;
  logs: { count: number; errors: number; errorRate: number | null };
  requests: {
    count: number;
    errors: number;
    errorRate: number | null;
    latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  };
}

export interface Alert {
  id: string;
  rule: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  state: 'pending' | 'firing' | 'resolved';
  service: string | null;
  summary: string;
  description: string;
  value: number;
  threshold: number;
  startsAt: string;
  endsAt: string | null;
  updatedAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  exemplarTraceIds: string[];
}

export interface Transition {
  from: string;
  to: string;
  at: string;
  value: number;
}

export interface TraceSummary {
  traceId: string;
  service: string | null;
  name: string;
  route: string | null;
  startedAt: string;
  durationMs: number;
  failed: boolean;
  weight: number;
}

export interface Span {
  spanId: string;
  parentSpanId: string | null;
  service: string | null;
  name: string;
  kind: string;
  startedAt: string;
  durationMs: number;
  status: number;
  statusMessage: string | null;
  weight: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: Record<string, unknown>;
}

export interface LogRecord {
  timestamp: string;
  severity: string;
  severityNumber: number | null;
  service: string | null;
  message: unknown;
  traceId: string;
  spanId: string | null;
  attributes: Record<string, unknown>;
}

export interface ComponentHealth {
  name: string;
  state: 'up' | 'degraded' | 'down' | 'unknown';
  detail: string;
}
