import { listStreamEvents } from '@stepwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { startPlanGeneration } from './plan-generation.service.js';
import { runPlanGeneration } from './run-plan-generation.js';

// No OPENAI_* settings: the offline planner plans and revises.
let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

/** A signed-in user with an offline 10-week half-marathon plan whose first week is done. */
async function userWithPlan() {
  const { user, caller } = await signedInCaller(services);
  const { goalId, generationId } = await startPlanGeneration(services, {
    userId: user.id,
    request: {
      goal: 'Run a half marathon',
      durationWeeks: 10,
      dailyHours: 2,
      level: 'intermediate',
      startDate: '2026-03-02',
    },
  });
  await runPlanGeneration(services, { generationId, isLastAttempt: true });
  await services.db
    .updateTable('tasks')
    .set({ completed_at: new Date() })
    .where('goal_id', '=', goalId)
    .where('week', '=', 1)
    .execute();
  return { caller, goalId };
}

/** Revises through `plan.revise` and runs the queued job as the worker would. */
async function revise(
  caller: Awaited<ReturnType<typeof userWithPlan>>['caller'],
  goalId: string,
  instructions: string,
) {
  const { generationId } = await caller.plan.revise({ goalId, instructions });
  await runPlanGeneration(services, { generationId, isLastAttempt: true });
  const events = await listStreamEvents(services.db, { generationId });
  return { events, goal: await caller.goal.get({ goalId, withSnapshot: true }) };
}

const effort = (tasks: { effortMinutes: number | null }[]) =>
  tasks.reduce((sum, t) => sum + (t.effortMinutes ?? 0), 0);

describe('plan.revise with the offline planner', () => {
  it('applies "easier" as a new revised version that keeps the done week', async () => {
    const { caller, goalId } = await userWithPlan();
    const before = await caller.goal.get({ goalId });
    const doneBefore = before.tasks.filter((t) => t.completedAt !== null);

    const { events, goal } = await revise(caller, goalId, 'Make it easier, I am struggling');

    expect(events.at(-1)?.data).toMatchObject({ type: 'completed', offline: true });
    expect(goal.plan).toMatchObject({ version: 2, source: 'revised' });
    expect(goal.plan?.summary).toMatch(/^Revised without an AI model \(offline planner\): lighter/);
    expect(effort(goal.tasks)).toBeLessThan(effort(before.tasks) * 0.9);
    const doneAfter = goal.tasks.filter((t) => t.completedAt !== null);
    expect(doneAfter.map((t) => [t.week, t.day, t.title])).toEqual(
      doneBefore.map((t) => [t.week, t.day, t.title]),
    );
  });

  it('extends the timeline when asked, so the race moves to the new last day', async () => {
    const { caller, goalId } = await userWithPlan();
    const { goal } = await revise(caller, goalId, 'I fell behind, push everything back 2 weeks');
    const weeks = (goal.plan?.plan as { weeks: unknown[] } | undefined)?.weeks;
    expect(weeks).toHaveLength(12);
    const race = goal.tasks.find((t) => t.category === 'race');
    expect(race).toMatchObject({ week: 12, day: 7, dueDate: '2026-05-24' });
    expect(goal.tasks.filter((t) => t.week === 1 && t.completedAt === null)).toEqual([]);
  });

  it('fails an instruction it does not understand, leaving the current version alone', async () => {
    const { caller, goalId } = await userWithPlan();
    const { events, goal } = await revise(caller, goalId, 'Make it more fun');
    expect(events.at(-1)?.data).toMatchObject({
      type: 'failed',
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/did not understand/),
    });
    expect(goal.status).toBe('active');
    expect(goal.plan).toMatchObject({ version: 1, source: 'generated' });
  });
});
