import http from 'node:http';
import { driftBody, malformedBody } from './drift.ts';
import type { ActiveFault, FaultController } from './faults.ts';
import { toJsonText } from './json.ts';
import type { Market } from './market.ts';
import type { SlidingWindowLimiter } from './rate-limit.ts';
import { matchRoute, notFound, type ApiResponse } from './routes.ts';
import type { Stats } from './stats.ts';

/**
 * The HTTP front of the simulator: API prefixes (/api/v2, and /api/v3/onchain with
 * `x-cg-pro-api-key`), rate limits, fault injection and statistics. Admin requests are
 * handled elsewhere (admin.ts) and never limited, faulted or counted.
 */
export const V2_PREFIX = '/api/v2';
export const V3_PREFIX = '/api/v3/onchain';
export const RATE_LIMIT_BODY = {
  status: {
    error_code: 429,
    error_message: "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
  },
};

export interface ApiDeps {
  market: Market;
  faults: FaultController;
  stats: Stats;
  publicLimiter: SlidingWindowLimiter;
  keyedLimiter: SlidingWindowLimiter;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function send(res: http.ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    'cache-control': 'max-age=30,public,must-revalidate,s-maxage=60',
    ...answer.headers,
  });
  res.end(answer.body);
}

const jsonAnswer = (response: ApiResponse): Answer => ({ status: response.status, body: toJsonText(response.body), contentType: JSON_TYPE });

function serverError(status: number): Answer {
  if (status === 500) return { status, body: toJsonText({ errors: [{ status: '500', title: 'Internal Server Error' }] }), contentType: JSON_TYPE };
  const title = status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : status === 504 ? 'Gateway Timeout' : 'Server Error';
  return { status, body: `<html><head><title>${status} ${title}</title></head><body><center><h1>${status} ${title}</h1></center><hr><center>cloudflare</center></body></html>`, contentType: 'text/html' };
}

/** Answers one API request (the path is already known to be outside /__admin). */
export async function handleApi(deps: ApiDeps, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const { market, stats } = deps;
  const pathAndQuery = `${url.pathname}${url.search}`;
  const prefix = url.pathname.startsWith(`${V3_PREFIX}/`) ? V3_PREFIX : url.pathname.startsWith(`${V2_PREFIX}/`) ? V2_PREFIX : undefined;
  const relative = prefix ? url.pathname.slice(prefix.length) : url.pathname;
  const matched = prefix && req.method === 'GET' ? matchRoute(relative) : undefined;
  const route = matched?.route.template ?? '(unmatched)';
  const record = (status: number, fault?: ActiveFault): void => stats.record({ path: pathAndQuery, route, status, at: market.now(), ...(fault ? { fault: fault.mode } : {}) });

  const picked = deps.faults.pick(pathAndQuery);
  const fault = picked?.fault;
  if (picked && fault) {
    switch (fault.mode) {
      case 'unreachable':
        record(0, fault);
        req.socket.destroy();
        return;
      case 'hang':
        // Never answered; the socket is destroyed when the client gives up or the simulator closes.
        record(0, fault);
        return;
      case '429':
        record(429, fault);
        return send(res, jsonAnswer({ status: 429, body: RATE_LIMIT_BODY }));
      case '429-retry-after':
        record(429, fault);
        return send(res, { ...jsonAnswer({ status: 429, body: RATE_LIMIT_BODY }), headers: { 'retry-after': String(fault.retryAfterS ?? 5) } });
      case '5xx': {
        const status = fault.status ?? ([500, 502, 503, 504][picked.seq % 4] as number);
        record(status, fault);
        return send(res, serverError(status));
      }
      case 'slow':
        await delay(fault.delayMs ?? 2000);
        if (res.destroyed) return record(0, fault);
        break;
      default:
        break;
    }
  }

  if (prefix === V3_PREFIX && !req.headers['x-cg-pro-api-key']) {
    record(401, fault);
    return send(res, jsonAnswer({ status: 401, body: { status: { error_code: 10002, error_message: 'API Key Missing' } } }));
  }
  const limiter = prefix === V3_PREFIX ? deps.keyedLimiter : deps.publicLimiter;
  if (!limiter.tryAcquire()) {
    record(429, fault);
    return send(res, jsonAnswer({ status: 429, body: RATE_LIMIT_BODY }));
  }
  if (!matched || !prefix) {
    record(404, fault);
    return send(res, jsonAnswer(notFound()));
  }

  const now = market.now();
  const host = req.headers.host ?? '127.0.0.1';
  const response = matched.route.handle({ market, now, params: matched.params, query: url.searchParams, baseUrl: `http://${host}${prefix}`, path: relative });
  let answer = jsonAnswer(response);
  if (fault && response.status === 200) {
    if (fault.mode === 'drift') answer = jsonAnswer({ status: 200, body: driftBody(response.body, fault.variant, picked.seq) });
    if (fault.mode === 'malformed') answer = { status: 200, ...malformedBody(answer.body, fault.variant, picked.seq) };
  }
  record(answer.status, fault);
  send(res, answer);
}
