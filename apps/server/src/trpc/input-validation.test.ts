import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';
import { createContextInner } from './context.js';
import { appRouter, createCaller } from './root.js';

let services: TestServices;
let token: string;
let visitorToken: string;
beforeAll(async () => {
  services = await createTestServices();
  const owner = await signedInCaller(services);
  token = owner.token;
  const { handle } = await owner.caller.workspace.update({ setupCompleted: true });
  ({ visitorToken } = await createCaller(createContextInner({ services })).public.startConversation(
    { handle },
  ));
});

/** Visitor procedures take the visitor's token; every other one the owner's session. */
const tokenFor = (path: string) =>
  path.startsWith('public.') && path !== 'public.startConversation' ? visitorToken : token;
afterAll(() => services.close());

type AnyProcedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] } };
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, AnyProcedure>,
).filter(([, procedure]) => procedure._def.inputs.length > 0);

/** Inputs of the wrong shape every procedure must refuse: wrong type, wrong field types. */
const MALFORMED: unknown[] = [
  12345,
  { goalId: 42, taskId: ['x'], generationId: 'not-a-uuid', email: 7, goal: 1 },
];

describe('malformed input on any procedure', () => {
  it('covers every procedure that takes input', () => {
    expect(procedures.length).toBeGreaterThanOrEqual(4);
  });

  it.each(procedures.filter(([, p]) => p._def.type !== 'subscription'))(
    '%s answers BAD_REQUEST with field errors, never a 500',
    async (path, procedure) => {
      const app = createApp(services);
      const bearer = `Bearer ${tokenFor(path)}`;
      for (const input of MALFORMED) {
        const body = JSON.stringify({ json: input });
        const response =
          procedure._def.type === 'query'
            ? await app.request(`/trpc/${path}?input=${encodeURIComponent(body)}`, {
                headers: { authorization: bearer },
              })
            : await app.request(`/trpc/${path}`, {
                method: 'POST',
                headers: { authorization: bearer, 'content-type': 'application/json' },
                body,
              });
        expect(response.status).toBe(400);
        const { error } = (await response.json()) as {
          error: {
            json: {
              data: {
                code: string;
                zodError: { formErrors: string[]; fieldErrors: object } | null;
              };
            };
          };
        };
        expect(error.json.data.code).toBe('BAD_REQUEST');
        expect(error.json.data.zodError).not.toBeNull();
      }
    },
  );

  it.each(procedures.filter(([, p]) => p._def.type === 'subscription'))(
    'subscription %s refuses malformed input with BAD_REQUEST',
    async (path) => {
      const caller = path.startsWith('public.')
        ? createCaller(createContextInner({ services, visitorToken }))
        : (await signedInCaller(services)).caller;
      const [router, name] = path.split('.') as [string, string];
      const subscribe = (
        caller as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>
      )[router]![name]!;
      for (const input of MALFORMED) {
        await expect(subscribe(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
    },
  );
});

describe('a check the database makes', () => {
  it('answers BAD_REQUEST with the field errors input validation would give', async () => {
    const app = createApp(services);
    const post = (path: string, json: unknown) =>
      app.request(`/trpc/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ json }),
      });
    const created = (await (await post('task.create', { title: 'No date yet' })).json()) as {
      result: { data: { json: { id: string } } };
    };
    // The input is well-formed; only the stored task (no due date) makes a due time wrong.
    const response = await post('task.update', {
      taskId: created.result.data.json.id,
      dueTime: '09:00',
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { json: { data: { code: string; zodError: { fieldErrors: object } | null } } };
    };
    expect(error.json.data.code).toBe('BAD_REQUEST');
    expect(error.json.data.zodError?.fieldErrors).toEqual({
      dueTime: ['a due time needs a due date'],
    });
  });
});
