import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { insertUser, type TestDatabase, useTestDatabase } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from './services/api-keys/api-key.service.js';

const execFileAsync = promisify(execFile);
const serverDir = path.resolve(import.meta.dirname, '..');
const ENTRY = ['--import', 'tsx', '--conditions=stepwise-source', 'src/mcp-stdio.ts'];

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

/** The environment of the stdio process: this worker's test database, no job worker. */
const childEnv = (apiKey: string) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  DATABASE_URL: database.url,
  RUN_WORKER: 'false',
  STEPWISE_API_KEY: apiKey,
});

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');

describe('MCP over stdio', () => {
  it('serves the tools to the SDK client as the key owner, and exits when the client closes', async () => {
    const user = await insertUser(database.db);
    const { key, apiKey } = await createApiKey(database.db, {
      userId: user.id,
      name: 'desktop assistant',
      scopes: ['tasks:read', 'tasks:write'],
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ENTRY,
      cwd: serverDir,
      env: childEnv(key),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'stepwise-test', version: '1.0.0' });
    // Anything on stdout that is not a protocol message would surface here.
    const protocolErrors: Error[] = [];
    client.onerror = (error) => protocolErrors.push(error);
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['list_tasks', 'add_task', 'complete_task', 'generate_plan']),
      );

      const added = (await client.callTool({
        name: 'add_task',
        arguments: { title: 'Water the plants', tags: ['home'] },
      })) as CallToolResult;
      expect(added.isError).toBeFalsy();
      const task = added.structuredContent as { id: string; title: string };
      const row = await database.db
        .selectFrom('tasks')
        .select(['user_id', 'title'])
        .where('id', '=', task.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ user_id: user.id, title: 'Water the plants' });

      const listed = (await client.callTool({
        name: 'list_tasks',
        arguments: {},
      })) as CallToolResult;
      expect(JSON.parse(text(listed)).items.map((t: { id: string }) => t.id)).toEqual([task.id]);
      const goals = (await client.callTool({
        name: 'list_goals',
        arguments: {},
      })) as CallToolResult;
      expect(goals.isError).toBe(true);
      expect(text(goals)).toContain('plans:read');

      // A revoked key stops working for the running process at once.
      await database.db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', apiKey.id)
        .execute();
      const revoked = (await client.callTool({
        name: 'list_tasks',
        arguments: {},
      })) as CallToolResult;
      expect(revoked.isError).toBe(true);
      expect(text(revoked)).toMatch(/^UNAUTHORIZED/);
    } finally {
      await client.close();
    }
    expect(protocolErrors).toEqual([]);
    expect(stderr).toContain('MCP server on stdio');
    const pid = transport.pid;
    if (pid !== null) {
      await expect.poll(() => isRunning(pid), { timeout: 10_000 }).toBe(false);
    }
  }, 60_000);

  it('refuses to start without a valid key, saying why on stderr and nothing on stdout', async () => {
    const [missing, unknown] = await Promise.all([
      runEntry(''),
      runEntry('sk_unknownunknownunknownunknownunknownunknown'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('STEPWISE_API_KEY');
    expect(missing.stdout).toBe('');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('not a valid API key');
    expect(unknown.stdout).toBe('');
  }, 60_000);
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the entry to its exit (bounded), with stdin closed. */
async function runEntry(apiKey: string) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ENTRY, {
      cwd: serverDir,
      env: childEnv(apiKey),
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
