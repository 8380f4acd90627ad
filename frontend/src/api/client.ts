// A small fetch wrapper for the portal API (/api/v1).
//
// Every request carries `X-Requested-With: fetch`: the server requires it on unsafe
// methods authenticated by the session cookie (a CSRF defence), and sending it always
// keeps the rule simple. Errors are RFC 9457 problem documents and surface as ApiError.

import type { Page } from './types';
import { plainWords } from '../lib/labels';

export const API_BASE = '/api/v1';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfterSeconds: number | null;

  constructor(problem: Problem, retryAfterSeconds: number | null = null) {
    super(messageFor(problem, retryAfterSeconds));
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** Field-level messages keyed by field name (the first message for each field wins). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      if (e && typeof e.field === 'string' && !(e.field in out)) out[e.field] = sentence(plainWords(String(e.message ?? '')));
    }
    return out;
  }
}

/** Server messages are often lower-case fragments ("is required"): start them with a capital. */
export function sentence(message: string): string {
  return message ? message.charAt(0).toUpperCase() + message.slice(1) : message;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request could not be understood.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You are not allowed to do this.',
  404: 'This record does not exist, or you do not have access to it.',
  409: 'This action is not possible in the record’s current state.',
  422: 'Some values need correcting.',
  429: 'Too many attempts. Please wait and try again.',
};

function messageFor(p: Problem, retryAfter: number | null): string {
  let msg = plainWords(p.detail || FALLBACK_MESSAGES[p.status] || p.title || `The server answered with an error (${p.status}).`);
  if (p.status === 429 && retryAfter != null) {
    msg += ` You can try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`;
  }
  return msg;
}

/** Turn any Response into a Problem, whether or not the body is a problem document. */
export async function parseProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors)
      ? (b.errors as unknown[])
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
      : undefined;
    return {
      ...b,
      type: typeof b.type === 'string' ? b.type : undefined,
      title: typeof b.title === 'string' ? b.title : res.statusText || undefined,
      status: typeof b.status === 'number' ? b.status : res.status,
      detail: typeof b.detail === 'string' ? b.detail : undefined,
      code: typeof b.code === 'string' ? b.code : undefined,
      errors,
    };
  }
  return { status: res.status, title: res.statusText || undefined };
}

function parseRetryAfter(res: Response): number | null {
  const h = res.headers.get('Retry-After');
  if (!h) return null;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(0, Math.round(n));
  const when = Date.parse(h);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

const ACTIVITY_KEY = 'fap.lastActivity';
let lastActivityHere = Date.now();

/**
 * When this browser last talked to the API with the session (any tab: kept in localStorage).
 * The server ends a session after an idle time without requests (IdleWarning).
 */
export function lastActivity(): number {
  let shared = 0;
  try {
    shared = Number(window.localStorage.getItem(ACTIVITY_KEY)) || 0;
  } catch {
    /* storage unavailable */
  }
  return Math.max(lastActivityHere, shared);
}

function markActivity(): void {
  lastActivityHere = Date.now();
  try {
    window.localStorage.setItem(ACTIVITY_KEY, String(lastActivityHere));
  } catch {
    /* storage unavailable */
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called once by the app: what to do when a request answers 401 (go to sign-in). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  onUnauthorized = handler;
}

type StepUpHandler = () => Promise<boolean>;
let onStepUp: StepUpHandler | null = null;
type HeldHandler = () => void;
let onHeld: HeldHandler | null = null;

/**
 * Called once by the app: how to pass a step-up when an action answers 401 `step_up_required`
 * (ask for a code in a dialog; resolve true once `POST /auth/step-up` succeeded). The action is
 * then sent again, once.
 */
export function setStepUpHandler(handler: StepUpHandler | null): void {
  onStepUp = handler;
}

/** Called once by the app: what to do on 403 `mfa_enrollment_required` (go to enrolment). */
export function setEnrollmentHandler(handler: HeldHandler | null): void {
  onHeld = handler;
}

export interface RequestOptions {
  /** Do not run the 401 handler (sign-in, "who am I", and other auth pages). */
  allowUnauthenticated?: boolean;
  signal?: AbortSignal;
  /** Internal: this is the retry after a step-up (do not ask again). */
  noStepUpRetry?: boolean;
  query?: Record<string, string | number | boolean | null | undefined>;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const url = API_BASE + path;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  if (!qs) return url;
  return url + (url.includes('?') ? '&' : '?') + qs;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'X-Requested-With': 'fetch',
  };
  const init: RequestInit = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({
      status: 0,
      title: 'Network error',
      detail: 'The portal could not be reached. Check your connection and try again.',
    });
  }

  if (!res.ok) {
    const problem = await parseProblem(res);
    if (res.status === 401 && problem.code === 'step_up_required') {
      // Not a lost session: the action needs a fresh second factor. Ask, then retry once.
      if (onStepUp && !opts.noStepUpRetry && (await onStepUp())) return request<T>(method, path, body, { ...opts, noStepUpRetry: true });
      throw new ApiError(problem);
    }
    if (res.status === 403 && problem.code === 'mfa_enrollment_required' && onHeld) onHeld();
    if (res.status === 401 && problem.code !== 'invalid_code' && !opts.allowUnauthenticated && onUnauthorized) onUnauthorized();
    throw new ApiError(problem, res.status === 429 ? parseRetryAfter(res) : null);
  }
  markActivity();
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as unknown as T;
  }
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};

/** `?limit=&cursor=` of every list. */
export interface PageParams {
  limit?: number;
  cursor?: string | null;
}

/** Read every page of a list (for small directories such as agencies or terms). */
export async function fetchAll<T>(list: (page: PageParams) => Promise<Page<T>>, maxPages = 10): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await list({ limit: 200, cursor });
    out.push(...page.items);
    cursor = page.next_cursor ?? null;
    if (!cursor) break;
  }
  return out;
}

/** A path segment (ids come from the server, tokens from links: encode both alike). */
export const seg = (s: string) => encodeURIComponent(s);
