import type * as z from 'zod/mini';
import type { incident, timelineEntry } from './api/incidents.ts';
import type { Immutable } from './api/immutable.ts';

/** An incident as the API returns it and Elasticsearch stores it: the API contract's shape. */
export type Incident = Immutable<z.output<typeof incident>>;
export type IncidentSignal = Incident['signals'][number];
/** One entry of an incident's timeline, append-only. */
export type TimelineEntry = Immutable<z.output<typeof timelineEntry>>;
