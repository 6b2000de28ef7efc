import type * as z from 'zod/mini';
import type { alert, transition } from './api/alerts.ts';
import type { Immutable } from './api/immutable.ts';

/** An alert as the API returns it and Elasticsearch stores it: the API contract's shape. */
export type Alert = Immutable<z.output<typeof alert>>;
export type AlertState = Alert['state'];
/** One state change, kept forever in the alert's history. */
export type AlertTransition = Immutable<z.output<typeof transition>>;
