// The hash chain of a rollout's ledger, checked in the browser: each entry's prevHash is the hash
// of the entry before it (64 zeros for the first), and each hash is recomputed from the entry's
// fields: lower-case hex SHA-256 of the canonical encoding of LedgerHash (streams/domain), v1.

export const GENESIS = '0'.repeat(64);
const FORMAT = 'rollout-ledger/ledger-entry/v1';
const utf8 = new TextEncoder();

class Encoder {
  constructor() {
    this.parts = [];
  }
  bytes(b) {
    this.i32(b.length);
    this.parts.push(b);
    return this;
  }
  str(s) {
    if (s === null || s === undefined) throw new Error('missing field');
    return this.bytes(utf8.encode(String(s)));
  }
  i32(n) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    this.parts.push(b);
    return this;
  }
  i64(n) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(n));
    this.parts.push(b);
    return this;
  }
  time(iso) {
    const ms = Date.parse(iso);
    if (isNaN(ms)) throw new Error('bad instant ' + iso);
    return this.i64(ms);
  }
  list(l) {
    this.i32((l || []).length);
    (l || []).forEach((s) => this.str(s));
    return this;
  }
  map(m) {
    const entries = Object.entries(m || {}).map(([k, v]) => [utf8.encode(k), k, v]);
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    this.i32(entries.length);
    entries.forEach(([kb, , v]) => this.bytes(kb).str(v));
    return this;
  }
  header(type, tenant, rollout, e) {
    return this.str(type).str(tenant).time(e.at).str(rollout).i64(e.seq).str(e.prevHash);
  }
  concat() {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** Milliseconds of an ISO-8601 duration as Java's Duration prints it (PT1H2M3.5S, PT-2S, P1D). */
export function durationMillis(iso) {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+(?:\.\d+)?)S)?)?$/.exec(iso || '');
  if (!m) throw new Error('bad duration ' + iso);
  const n = (s) => (s ? Number(s) : 0);
  const ms = ((n(m[2]) * 24 + n(m[3])) * 60 + n(m[4])) * 60000 + Math.round(n(m[5]) * 1000);
  return m[1] === '-' ? -ms : ms;
}

/** The canonical bytes of a ledger entry as the API shows it, or throws for an unknown type. */
export function encode(tenant, rollout, e) {
  const out = new Encoder().str(FORMAT).header(e.type, tenant, rollout, e);
  const ev = e.evidence || {};
  switch (e.type) {
    case 'WaveStarted':
      return out.str(e.wave).i32(e.waveIndex).list(e.hosts).concat();
    case 'WavePromoted':
      return out.str(e.wave).i32(e.waveIndex).map(ev).concat();
    case 'RolloutHalted':
    case 'PauseRecorded':
      return out.str(e.wave).str(e.reason).map(ev).concat();
    case 'RolloutCompleted':
      return out.concat();
    case 'HaltLifted':
    case 'PauseLifted':
      return out.str(ev.by).str(e.reason).concat();
    case 'WaveApproved':
      return out.str(e.wave).str(ev.by).concat();
    case 'OutageRecorded':
      return out.time(ev.from).time(ev.graceUntil).i64(durationMillis(ev.bakeExtendedBy)).concat();
    default:
      throw new Error('unknown entry type ' + e.type);
  }
}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Per entry (in seq order): {linked, hashed} where linked says prevHash equals the previous
 * entry's hash, hashed says the recomputed hash equals the entry's (null: not computable here,
 * e.g. crypto.subtle missing outside a secure context).
 */
export async function verify(tenant, rollout, entries) {
  const results = [];
  let prev = GENESIS;
  let prevSeq = 0;
  for (const e of entries) {
    const linked = e.prevHash === prev && e.seq === prevSeq + 1;
    let hashed = null;
    if (globalThis.crypto && crypto.subtle) {
      try {
        hashed = (await sha256Hex(encode(tenant, rollout, e))) === e.hash;
      } catch (err) {
        hashed = null;
      }
    }
    results.push({ linked, hashed });
    prev = e.hash;
    prevSeq = e.seq;
  }
  return results;
}
