// The API client: the token lives in this tab's sessionStorage only and goes in the Authorization
// header of every request (never in a URL). A 401 signs the tab out.

const KEY = 'ledger.token';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
  /** {name, tenant, role, permissions} of the token, after sign-in. */
  me: null,
  can(permission) {
    return !!this.me && this.me.permissions.includes(permission);
  },
};

/** Listeners of a 401: the app goes back to sign-in. */
const unauthorized = [];
export function onUnauthorized(fn) {
  unauthorized.push(fn);
}

/** A failed answer; {@code problem} is its problem+json body (or one made from the status). */
export class ApiError extends Error {
  constructor(problem) {
    super(`${problem.status} ${problem.title}${problem.detail ? ': ' + problem.detail : ''}`);
    this.problem = problem;
  }
}

export function authHeaders(extra) {
  return Object.assign({ Authorization: `Bearer ${session.token()}` }, extra || {});
}

export async function api(method, path, body) {
  const headers = authHeaders(body === undefined ? {} : { 'Content-Type': 'application/json' });
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError({ status: 0, title: 'Server unreachable', detail: String(e.message || e) });
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (res.status === 401) {
    unauthorized.forEach((fn) => fn());
  }
  if (!res.ok) {
    const problem = json && typeof json === 'object' ? json : {};
    problem.status = problem.status || res.status;
    problem.title = problem.title || res.statusText || 'Request failed';
    throw new ApiError(problem);
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);

export function tenantPath(suffix) {
  return `/api/v1/tenants/${encodeURIComponent(session.me.tenant)}${suffix}`;
}

export function rolloutPath(rollout, suffix) {
  return tenantPath(`/rollouts/${encodeURIComponent(rollout)}${suffix || ''}`);
}

/** Every page of a paged list: {@code pageOf(cursor)} answers [items, nextCursor|null]. */
export async function allPages(pageOf, max) {
  const items = [];
  let cursor = null;
  do {
    const [page, next] = await pageOf(cursor);
    // the server leaves an empty list out of its JSON (a page past the last item)
    items.push(...(page || []));
    cursor = next;
  } while (cursor !== null && cursor !== undefined && items.length < (max || 100000));
  return items;
}
