/**
 * Who may talk to the server (docs/security.md). Loopback by default, with the Host header checked
 * against the names the server answers to (no DNS rebinding) and cross-site requests refused (no
 * CSRF from any web page). Anything but loopback needs a token: `Authorization: Bearer <token>`, or
 * the session cookie a browser gets by opening the printed `/?token=` URL once.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import { requestUrl } from './request-url';

export type Env = Readonly<Record<string, string | undefined>>;

export interface AccessPolicy {
  /** the address the server binds (HOST) */
  bindHost: string;
  loopback: boolean;
  /** hostnames (lower case, no port, IPv6 without brackets) accepted in the Host header */
  allowedHosts: ReadonlySet<string>;
  /** LOOM_ALLOWED_HOSTS=* : any Host (behind a reverse proxy); only allowed with a token */
  anyHost: boolean;
  /** extra origins (scheme://host[:port]) allowed to send state-changing requests, LOOM_ALLOWED_ORIGINS */
  allowedOrigins: ReadonlySet<string>;
  /** null: no authentication (loopback without LOOM_API_TOKEN) */
  token: string | null;
  tokenSource: 'env' | 'generated' | null;
}

/** A configuration the server refuses to start with; the message says what to set. */
export class AccessConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessConfigError';
  }
}

export const SESSION_COOKIE = 'loom_session';
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '::0', '']);
const MIN_TOKEN_LENGTH = 16;

/** Host header / address -> bare lower-case hostname: `[::1]:3000` -> `::1`, `Example.COM.:80` -> `example.com`. */
export function hostnameOf(hostHeader: string): string | null {
  const h = hostHeader.trim().toLowerCase();
  let name: string;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    name = h.slice(1, end);
  } else {
    const m = /^([^:\s/@]*)(?::(\d{1,5}))?$/.exec(h);
    if (!m) return null;
    name = m[1];
  }
  name = name.replace(/\.$/, '');
  return name === '' ? null : name;
}

export function isLoopbackHost(host: string): boolean {
  const h = (hostnameOf(host) ?? host).toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The access policy for binding `bindHost`. Throws AccessConfigError for setups that would expose
 * the server without a token: a wildcard bind (0.0.0.0, ::) without LOOM_API_TOKEN, or
 * LOOM_ALLOWED_HOSTS=* without one. A specific non-loopback address gets a generated token.
 */
export function accessPolicy(bindHost: string, env: Env = process.env): AccessPolicy {
  const host = bindHost.trim();
  const loopback = isLoopbackHost(host);
  const wildcard = WILDCARDS.has(host);
  const envToken = env.LOOM_API_TOKEN?.trim() || null;
  if (envToken !== null && envToken.length < MIN_TOKEN_LENGTH) {
    throw new AccessConfigError(`LOOM_API_TOKEN is ${envToken.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -hex 32\`).`);
  }
  if (wildcard && !envToken) {
    throw new AccessConfigError(
      `Refusing to listen on every interface (HOST=${host || '""'}) without a token: anyone on your network could run jobs and read your files. ` +
        'Set LOOM_API_TOKEN (e.g. `LOOM_API_TOKEN=$(openssl rand -hex 32)`), or bind one address (HOST=192.168.1.5 prints a generated token), or keep the default HOST=127.0.0.1.',
    );
  }
  const allowedHostsRaw = list(env.LOOM_ALLOWED_HOSTS);
  const anyHost = allowedHostsRaw.includes('*');
  let token = envToken;
  let tokenSource: AccessPolicy['tokenSource'] = envToken ? 'env' : null;
  if (!loopback && !token) {
    token = crypto.randomBytes(24).toString('base64url');
    tokenSource = 'generated';
  }
  if (anyHost && !token) {
    throw new AccessConfigError('LOOM_ALLOWED_HOSTS=* turns off the Host check, which is what stops DNS rebinding; it needs LOOM_API_TOKEN as well.');
  }
  const hosts = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const add = (h: string) => {
    const n = hostnameOf(h) ?? hostnameOf(`[${h}]`);
    if (n) hosts.add(n);
  };
  if (!wildcard) add(host);
  else {
    // every address of this machine, and its name, since a wildcard bind answers on all of them
    for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) add(a.address.replace(/%.*$/, ''));
    add(os.hostname());
  }
  for (const h of allowedHostsRaw) if (h !== '*') add(h);
  const origins = new Set(list(env.LOOM_ALLOWED_ORIGINS).map((o) => o.replace(/\/$/, '').toLowerCase()));
  return { bindHost: host, loopback, allowedHosts: hosts, anyHost, allowedOrigins: origins, token, tokenSource };
}

export type AccessDecision = { ok: true } | { ok: false; status: 400 | 401 | 403; message: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function timingSafeEqualText(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** The cookie value for a token: derived, so the cookie is not the token itself and survives restarts with the same token. */
export function sessionValue(token: string): string {
  return crypto.createHmac('sha256', token).update('latentloom-session-v1').digest('base64url');
}

function cookie(req: http.IncomingMessage, name: string): string | null {
  const raw = header(req, 'cookie');
  if (!raw) return null;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function authorised(policy: AccessPolicy, req: http.IncomingMessage): boolean {
  if (!policy.token) return true;
  const auth = header(req, 'authorization');
  const bearer = auth && /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  if (bearer && timingSafeEqualText(bearer, policy.token)) return true;
  const session = cookie(req, SESSION_COOKIE);
  return session !== null && timingSafeEqualText(session, sessionValue(policy.token));
}

/**
 * Decides one request (or WebSocket upgrade, which is treated as state-changing): Host first, then
 * cross-site checks (Origin, Fetch Metadata), then the token.
 */
export function checkAccess(policy: AccessPolicy, req: http.IncomingMessage, opts: { upgrade?: boolean } = {}): AccessDecision {
  const hostHeader = header(req, 'host');
  if (!hostHeader) return { ok: false, status: 400, message: 'Missing Host header.' };
  const hostname = hostnameOf(hostHeader);
  if (!hostname) return { ok: false, status: 400, message: 'Malformed Host header.' };
  if (!policy.anyHost && !policy.allowedHosts.has(hostname)) {
    return {
      ok: false,
      status: 403,
      message: `Host "${hostname}" is not one this server answers to (DNS rebinding protection). To reach it under that name, add it to LOOM_ALLOWED_HOSTS.`,
    };
  }
  const unsafe = opts.upgrade === true || !SAFE_METHODS.has((req.method ?? 'GET').toUpperCase());
  const origin = header(req, 'origin');
  if (unsafe && origin !== undefined && !sameOrigin(policy, origin, hostHeader)) {
    return { ok: false, status: 403, message: `Cross-origin request from ${origin} refused. To allow that site, add it to LOOM_ALLOWED_ORIGINS.` };
  }
  // browsers that send Fetch Metadata: refuse cross-site requests except plain top-level navigation
  const site = header(req, 'sec-fetch-site');
  if (site === 'cross-site' && !(origin !== undefined && sameOrigin(policy, origin, hostHeader))) {
    const navigation =
      !unsafe &&
      header(req, 'sec-fetch-mode') === 'navigate' &&
      !['iframe', 'frame', 'object', 'embed'].includes(header(req, 'sec-fetch-dest') ?? '');
    if (!navigation) return { ok: false, status: 403, message: 'Cross-site request refused.' };
  }
  if (!authorised(policy, req)) {
    return {
      ok: false,
      status: 401,
      message:
        'This server needs its API token: send "Authorization: Bearer <token>", or open the URL printed at startup (…/?token=…) once in this browser.',
    };
  }
  return { ok: true };
}

function sameOrigin(policy: AccessPolicy, origin: string, hostHeader: string): boolean {
  const o = origin.trim().toLowerCase();
  if (policy.allowedOrigins.has(o)) return true;
  const h = hostHeader.trim().toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}

/**
 * `GET /any/path?token=<token>`: the one-time sign-in link. A right token sets the session cookie
 * and redirects to the same URL without the token; a wrong one is a 401. Returns true when handled.
 */
export function handleTokenLogin(policy: AccessPolicy, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!policy.token || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const url = requestUrl(req);
  const given = url.searchParams.get('token');
  if (given === null) return false;
  if (!timingSafeEqualText(given, policy.token)) {
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Wrong token.');
    return true;
  }
  url.searchParams.delete('token');
  const location = `${url.pathname}${url.search}`;
  const secure = (req.socket as { encrypted?: boolean }).encrypted ? '; Secure' : '';
  res
    .writeHead(303, {
      location,
      'set-cookie': `${SESSION_COOKIE}=${sessionValue(policy.token)}; Path=/; HttpOnly; SameSite=Strict${secure}`,
      'cache-control': 'no-store',
    })
    .end();
  return true;
}

/** The URL to print at startup for a browser to sign in with (null when no token is needed). */
export function signInUrl(policy: AccessPolicy, baseUrl: string): string | null {
  return policy.token ? `${baseUrl}/?token=${encodeURIComponent(policy.token)}` : null;
}
