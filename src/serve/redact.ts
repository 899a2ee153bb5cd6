/** Query parameters whose values are secrets: never written to a log. */
const SECRET = /key|token|secret|password|passwd|auth|signature/i;

/**
 * The URL as the log may show it: the value of any query parameter that looks like a secret
 * (api_key, apiKey, key, token, access_token...) is replaced by "[redacted]". The server never reads a
 * key from the query string, but a client may send one there, and a log is read by more people.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: judge the raw name
      }
      return eq >= 0 && SECRET.test(decoded) ? `${name}=[redacted]` : part;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}
