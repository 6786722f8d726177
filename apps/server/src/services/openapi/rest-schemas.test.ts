import type { AnyTRPCProcedure } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { appRouter } from '../../trpc/root.js';
import type { RestMeta } from './rest-meta.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const restProcedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>,
).flatMap(([path, procedure]) => {
  const meta = procedure._def.meta as RestMeta | undefined;
  return meta?.openapi ? [{ path, response: meta.response }] : [];
});

describe('REST response schemas', () => {
  it('are given for every procedure in the REST view', () => {
    expect(restProcedures.length).toBeGreaterThan(10);
    for (const { path, response } of restProcedures) expect(response, path).toBeDefined();
  });

  it('describe exactly what each procedure answers (nothing missing, nothing stripped)', async () => {
    const { caller } = await signedInCaller(services);
    const { goalId } = await caller.goal.import({
      goal: 'Learn Go',
      startDate: '2025-01-06',
      tasks: [
        { title: 'Tour of Go', date: '2025-01-06', completed: true },
        { title: 'Write a CLI', date: '2025-01-14' },
      ],
    });
    const restored = await caller.plan.restore({ goalId, version: 1 });
    const sent = await caller.chat.send({
      goalId,
      content: 'What is next?',
      idempotencyKey: 'rest-schemas-1',
    });
    const started = await caller.plan.generate({ goal: 'Learn to juggle', durationWeeks: 1 });
    const task = await caller.task.create({
      title: 'Pack',
      dueDate: '2030-01-01',
      dueTime: '09:00',
    });

    /** One real answer of each procedure in the REST view. */
    const answers: Record<string, () => Promise<unknown>> = {
      'goal.list': () => caller.goal.list({}),
      'goal.get': async () => [
        await caller.goal.get({ goalId }),
        await caller.goal.get({ goalId, withSnapshot: true }),
      ],
      'goal.update': () => caller.goal.update({ goalId, title: 'Learn Go well' }),
      'goal.delete': () => caller.goal.delete({ goalId: started.goalId }),
      'plan.generate': async () => started,
      'plan.cancel': () => caller.plan.cancel({ generationId: started.generationId }),
      'plan.revise': () => caller.plan.revise({ goalId, instructions: 'lighter weeks' }),
      'plan.weeks': () => caller.plan.weeks({ goalId }),
      'plan.week': () => caller.plan.week({ goalId, week: 2 }),
      'plan.versions': () => caller.plan.versions({ goalId }),
      'plan.diff': () => caller.plan.diff({ goalId, from: 1, to: 2 }),
      'plan.restore': async () => restored,
      'chat.send': async () => sent,
      'chat.history': () => caller.chat.history({ conversationId: sent.conversationId }),
      'chat.conversations': () => caller.chat.conversations({}),
      'task.list': () => caller.task.list({}),
      'task.get': () => caller.task.get({ taskId: task.id }),
      'task.create': async () => task,
      'task.update': () => caller.task.update({ taskId: task.id, notes: 'light' }),
      'task.setComplete': () => caller.task.setComplete({ taskId: task.id, completed: true }),
      'task.delete': async () =>
        caller.task.delete({ taskId: (await caller.task.create({ title: 'Tmp' })).id }),
      'task.stats': () => caller.task.stats({}),
      'auth.me': () => caller.auth.me(),
    };
    expect(Object.keys(answers).sort()).toEqual(restProcedures.map((p) => p.path).sort());

    for (const { path, response } of restProcedures) {
      const answer = await answers[path]!();
      const each = path === 'goal.get' ? (answer as unknown[]) : [answer];
      for (const one of each) {
        const parsed = response!.safeParse(one);
        expect(parsed.error, path).toBeUndefined();
        expect(parsed.data, path).toEqual(one);
      }
    }
  });
});
