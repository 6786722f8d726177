import { type MockOpenAI, startMockOpenAI } from '@stepwise/ai/testing';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';

/** The mock OpenAI-compatible model and a worker-enabled test server that talks to it. */
export async function startOnlineServer(): Promise<{
  mock: MockOpenAI;
  server: RunningServer;
  close(): Promise<void>;
}> {
  const mock = await startMockOpenAI();
  const server = await startTestServer({
    RUN_WORKER: 'true',
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: mock.url,
    AI_PROVIDER: 'openai',
  });
  return {
    mock,
    server,
    async close() {
      await server.close();
      await mock.close();
    },
  };
}
