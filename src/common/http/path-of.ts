/** The path of a request's URL, without its query string. */
export function pathOf(req: { url: string }): string {
  const q = req.url.indexOf('?');
  return q === -1 ? req.url : req.url.slice(0, q);
}

/**
 * The path as the router matches it (httpAdapter's routerOptions): without its query string, in lower
 * case and without a trailing slash. Checks of which route a request is for compare this, so `/HEALTH/`
 * is treated as `/health`, which it is served as.
 */
export function routePathOf(req: { url: string }): string {
  const path = pathOf(req).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
