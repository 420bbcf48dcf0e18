import os from 'node:os';
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { AccessConfigError, accessPolicy, checkAccess, hostnameOf, isLoopbackHost, sessionValue } from '@/server/http/access';

const req = (headers: Record<string, string>, method = 'GET') => ({ method, headers }) as unknown as http.IncomingMessage;

describe('hostnameOf', () => {
  it.each([
    ['127.0.0.1:3000', '127.0.0.1'],
    ['LocalHost', 'localhost'],
    ['localhost.:80', 'localhost'],
    ['[::1]:3000', '::1'],
    ['[::1]', '::1'],
    ['loom.example.com', 'loom.example.com'],
  ])('%s -> %s', (h, name) => expect(hostnameOf(h)).toBe(name));
  it.each(['', '[::1', '[::1]x', 'a:b:c', 'user@host', 'a/b', ':80'])('refuses %j', (h) => expect(hostnameOf(h)).toBeNull());
});

describe('isLoopbackHost', () => {
  it('knows the loopback names and nothing else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('accessPolicy', () => {
  it('loopback without LOOM_API_TOKEN: no token, loopback names only', () => {
    const p = accessPolicy('127.0.0.1', {});
    expect(p).toMatchObject({ loopback: true, token: null, tokenSource: null, anyHost: false });
    expect([...p.allowedHosts].sort()).toEqual(['127.0.0.1', '::1', 'localhost']);
  });

  it('a specific non-loopback address gets a generated token', () => {
    const a = accessPolicy('192.168.1.5', {});
    const b = accessPolicy('192.168.1.5', {});
    expect(a.tokenSource).toBe('generated');
    expect(a.token).toMatch(/^[\w-]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.allowedHosts.has('192.168.1.5')).toBe(true);
  });

  it('refuses every interface without LOOM_API_TOKEN, and accepts it with one', () => {
    for (const host of ['0.0.0.0', '::', '']) expect(() => accessPolicy(host, {}), host).toThrow(AccessConfigError);
    expect(() => accessPolicy('0.0.0.0', {})).toThrow(/LOOM_API_TOKEN/);
    const p = accessPolicy('0.0.0.0', { LOOM_API_TOKEN: 'a-long-enough-token-1234' });
    expect(p.tokenSource).toBe('env');
    expect(p.allowedHosts.has(os.hostname().toLowerCase())).toBe(true);
  });

  it('refuses a short token and LOOM_ALLOWED_HOSTS=* without a token', () => {
    expect(() => accessPolicy('127.0.0.1', { LOOM_API_TOKEN: 'short' })).toThrow(/at least 16/);
    expect(() => accessPolicy('127.0.0.1', { LOOM_ALLOWED_HOSTS: '*' })).toThrow(/needs LOOM_API_TOKEN/);
    expect(accessPolicy('127.0.0.1', { LOOM_ALLOWED_HOSTS: '*', LOOM_API_TOKEN: 'a-long-enough-token-1234' }).anyHost).toBe(true);
  });
});

describe('checkAccess', () => {
  const open = accessPolicy('127.0.0.1', { LOOM_ALLOWED_HOSTS: 'loom.lan' });
  const guarded = accessPolicy('127.0.0.1', { LOOM_API_TOKEN: 'a-long-enough-token-1234' });

  it('checks Host on every request, Origin only on state-changing ones', () => {
    expect(checkAccess(open, req({ host: 'loom.lan:3000' })).ok).toBe(true);
    expect(checkAccess(open, req({ host: 'evil.example' }))).toMatchObject({ ok: false, status: 403 });
    expect(checkAccess(open, req({}))).toMatchObject({ ok: false, status: 400 });
    expect(checkAccess(open, req({ host: '127.0.0.1:3000', origin: 'http://evil.example' })).ok).toBe(true);
    expect(checkAccess(open, req({ host: '127.0.0.1:3000', origin: 'http://evil.example' }, 'POST'))).toMatchObject({ ok: false, status: 403 });
    expect(checkAccess(open, req({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, 'POST')).ok).toBe(true);
    expect(checkAccess(open, req({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }), { upgrade: true }).ok).toBe(true);
    expect(checkAccess(open, req({ host: '127.0.0.1:3000', origin: 'http://localhost:3000' }), { upgrade: true }).ok).toBe(false);
  });

  it('accepts the token as Bearer or as the derived session cookie, nothing else', () => {
    const host = '127.0.0.1:3000';
    expect(checkAccess(guarded, req({ host }))).toMatchObject({ ok: false, status: 401 });
    expect(checkAccess(guarded, req({ host, authorization: 'Bearer a-long-enough-token-1234' })).ok).toBe(true);
    expect(checkAccess(guarded, req({ host, authorization: 'bearer  a-long-enough-token-1234 ' })).ok).toBe(true);
    expect(checkAccess(guarded, req({ host, authorization: 'Bearer a-long-enough-token-123' })).ok).toBe(false);
    expect(checkAccess(guarded, req({ host, cookie: `x=1; loom_session=${sessionValue('a-long-enough-token-1234')}` })).ok).toBe(true);
    expect(checkAccess(guarded, req({ host, cookie: 'loom_session=a-long-enough-token-1234' })).ok).toBe(false);
  });
});
