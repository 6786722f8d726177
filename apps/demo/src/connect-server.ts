export interface DemoServer {
  url: string;
  /** True when this process started the server (and must close it). */
  inProcess: boolean;
  close(): Promise<void>;
}

/**
 * The server at `url` when its `GET /ready` answers 200 within `timeoutMs`; when nothing
 * answers there, a server started in this process on the embedded defaults (embedded
 * Postgres in `.data/pg`, free port, warnings only). A server that answers but is not ready
 * is an error rather than a reason to start a second one over the same data.
 *
 * @example
 * const server = await connectServer({ url: 'http://127.0.0.1:3000' });
 * try { ... } finally { await server.close(); }
 */
export async function connectServer(input: {
  url: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Called before starting one in-process, which can take a few seconds. */
  onStarting?: () => void;
}): Promise<DemoServer> {
  const url = input.url.replace(/\/+$/, '');
  const response = await fetch(`${url}/ready`, {
    signal: AbortSignal.timeout(input.timeoutMs ?? 1_500),
  }).catch(() => undefined);
  if (response?.ok) return { url, inProcess: false, close: async () => {} };
  if (response) {
    throw new Error(
      `${url}/ready answered ${response.status}: the server there is not ready (is its database up?)`,
    );
  }

  input.onStarting?.();
  // Loaded only here: connecting to a running server needs none of the server's code.
  const { loadEnv, startServer } = await import('@stepwise/server');
  const env = loadEnv({ ...(input.env ?? process.env), PORT: '0', LOG_LEVEL: 'warn' });
  const server = await startServer({ env });
  return { url: server.url, inProcess: true, close: () => server.close() };
}
