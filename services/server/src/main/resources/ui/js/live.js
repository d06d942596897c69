// Live updates: GET /api/v1/tenants/{t}/events (server-sent events) read with fetch() and a body
// stream, because EventSource cannot send the Authorization header. Reconnects with backoff.
// The server says whether its own reader of the ledger follows ("feed" in hello, ping and the feed
// event): while that reader restarts the badge says "live: degraded", not "live: on".

import { authHeaders, session, tenantPath } from './api.js';

const listeners = new Set();
let controller = null;
let indicator = null;
let retryTimer = null;
let feed = 'following';

/** fn(eventName, data) for every event; returns the function that removes it. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function show(state, text) {
  if (!indicator) return;
  indicator.dataset.state = state;
  indicator.textContent = text;
}

/** Parses a text/event-stream: blocks separated by a blank line; ':' lines are comments. */
export function parseBlock(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}

export function start(el, onUnauthorized) {
  indicator = el;
  stop();
  controller = new AbortController();
  connect(controller, 0, onUnauthorized);
}

export function stop() {
  if (controller) controller.abort();
  controller = null;
  clearTimeout(retryTimer);
  show('off', 'live: off');
}

async function connect(ctl, attempt, onUnauthorized) {
  if (ctl.signal.aborted || !session.me) return;
  show('connecting', 'live: connecting…');
  let failure = 'closed';
  try {
    const res = await fetch(tenantPath('/events'), {
      headers: authHeaders({ Accept: 'text/event-stream' }),
      cache: 'no-store',
      credentials: 'omit',
      signal: ctl.signal,
    });
    if (res.status === 401) {
      onUnauthorized();
      return;
    }
    if (!res.ok || !res.body) {
      failure = `HTTP ${res.status}`;
    } else {
      attempt = 0;
      feed = 'following';
      show('on', 'live: on');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(buffer.slice(cut).match(/^\r?\n\r?\n/)[0].length + cut);
          dispatch(parseBlock(block));
        }
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
    failure = String(e.message || e);
  }
  if (ctl.signal.aborted) return;
  // 0.5 s, 1 s, 2 s, ... at most 15 s, with jitter: many tabs do not come back at once
  const delay = Math.min(15000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
  show('retrying', `live: ${failure}, retry in ${Math.round(delay / 1000)} s`);
  retryTimer = setTimeout(() => connect(ctl, attempt + 1, onUnauthorized), delay);
}

function dispatch(message) {
  if (!message) return;
  let data;
  try {
    data = JSON.parse(message.data);
  } catch (e) {
    return; // not JSON: nothing a page can use
  }
  const state = message.event === 'feed' ? data.state : data.feed;
  if (state && state !== feed && ['hello', 'ping', 'feed'].includes(message.event)) {
    feed = state;
    if (feed === 'following') show('on', 'live: on');
    else show('degraded', `live: degraded (server feed ${feed})`);
  }
  for (const fn of [...listeners]) fn(message.event, data);
}
