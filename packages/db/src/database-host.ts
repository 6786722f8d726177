/**
 * The server a Postgres connection string points at, resolved the way `pg` resolves it: a
 * `host` query parameter wins over the URL's host, a host that is a path (or `socket:` URL)
 * is a unix socket, and no host means `PGHOST`, else localhost. `isLocal` is true for
 * localhost, loopback addresses (127.0.0.0/8, ::1) and unix sockets. Only the host is
 * returned, never the credentials, so it can go into messages.
 *
 * @example
 * databaseHost('postgresql://u:p@db.example.com:5432/app'); // { host: 'db.example.com', isLocal: false }
 */
export function databaseHost(
  url: string,
  env: Record<string, string | undefined> = process.env,
): { host: string; isLocal: boolean } {
  const host = parseHost(url) || env.PGHOST || 'localhost';
  return { host, isLocal: isLocalHost(host) };
}

function parseHost(url: string): string | undefined {
  if (url.startsWith('/')) return url.split(' ')[0];
  let parsed: URL;
  let noHost = false;
  try {
    parsed = new URL(url);
  } catch {
    // `postgresql://user:pass@/db` (credentials, no host) is valid for pg, not for URL.
    try {
      parsed = new URL(url.replace('@/', '@placeholder/'));
      noHost = true;
    } catch {
      return 'an unparsable DATABASE_URL';
    }
  }
  if (parsed.protocol === 'socket:') return decodeURI(parsed.pathname) || '/';
  const fromQuery = parsed.searchParams.get('host');
  if (fromQuery) return fromQuery;
  return noHost ? undefined : decodeURIComponent(parsed.hostname.replace(/^\[(.+)\]$/, '$1'));
}

function isLocalHost(host: string): boolean {
  const name = host.toLowerCase();
  return (
    name.startsWith('/') ||
    name === 'localhost' ||
    name === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}
