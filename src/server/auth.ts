import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from './http-error.ts';

const COOKIE = 'gtc_token';

/** Compares two secrets in constant time (hashing first so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function cookieToken(c: Context): string | undefined {
  const header = c.req.header('cookie') ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Requires the bearer token on every route but /healthz. API clients send `Authorization: Bearer …`;
 * a browser opens `/?token=…` once, which sets an HttpOnly, SameSite=Strict cookie and redirects to
 * the same page without the token in its address.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/healthz') return next();
    const header = c.req.header('authorization');
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const fromQuery = c.req.method === 'GET' && c.req.path === '/' ? c.req.query('token') : undefined;
    const given = bearer ?? fromQuery ?? cookieToken(c);
    if (given === undefined || !sameSecret(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="gtc"');
      return c.json(errorBody(401, 'unauthorized', 'This gtc server requires its bearer token: send "Authorization: Bearer <GTC_HTTP_TOKEN>", or open /?token=<GTC_HTTP_TOKEN> in a browser.'), 401);
    }
    if (fromQuery !== undefined) {
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      c.header('Set-Cookie', `${COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`);
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    return next();
  };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** Whether binding to `host` keeps the server reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.trim());
}
