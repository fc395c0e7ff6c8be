import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet from 'helmet';
import { routePathOf } from './path-of';

/**
 * helmet's headers on every response (`X-Content-Type-Options: nosniff`, HSTS, which browsers
 * honour only over HTTPS, frame, referrer and cross-origin policies), plus:
 * - Every API response: `Cache-Control: no-store`, since nearly all of them carry a token or
 *   account data and one rule for all cannot miss one; and a Content-Security-Policy under which
 *   nothing loads and nobody frames them, should one be opened in a browser.
 * - The documentation page under `docsPath` is public and the same for everyone, so it stays
 *   cacheable; its policy is the one Swagger UI works under: its own scripts, styles, images and
 *   fonts from this origin, the inline styles of its page, SVG icons as data: URLs, and "Try it out"
 *   requests to this origin only. No upgrade-insecure-requests: the page loads nothing from
 *   elsewhere, and it would break the page on a plain-HTTP host.
 */
export function securityHeaders(docsPath: string) {
  const api = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
  const docs = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
  });
  // helmet writes its headers on Node's response, where Fastify's own headers join them; it calls
  // next() with nothing or an error, as a hook's done() takes them.
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const next = done as (err?: unknown) => void;
    const path = routePathOf(req);
    if (path === docsPath || path.startsWith(`${docsPath}/`)) return docs(req.raw, reply.raw, next);
    reply.raw.setHeader('Cache-Control', 'no-store');
    api(req.raw, reply.raw, next);
  };
}
