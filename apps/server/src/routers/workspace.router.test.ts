import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const unique = () => randomUUID().slice(0, 8);

describe('workspace.me', () => {
  it('creates the workspace on first call with defaults and a handle from the email', async () => {
    const local = `Jane.Doe+${unique()}`;
    const { caller } = await signedInCaller(services, { email: `${local}@example.test` });
    const workspace = await caller.workspace.me();
    expect(workspace).toMatchObject({
      handle: local.toLowerCase().replace(/[.+]/g, '-'),
      type: 'individual',
      tone: 'professional',
      timezone: 'UTC',
      knowledgeBase: '',
      profile: { setupCompleted: false, socialLinks: {} },
    });
    expect(await caller.workspace.me()).toEqual(workspace);
  });

  it('gives one workspace per user under concurrent first calls, and unique handles', async () => {
    const local = `coach${unique()}`;
    const first = await signedInCaller(services, { email: `${local}@a.test` });
    const second = await signedInCaller(services, { email: `${local}@b.test` });
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => first.caller.workspace.me()),
      ...Array.from({ length: 6 }, () => second.caller.workspace.me()),
    ]);
    expect(new Set(results.slice(0, 6).map((w) => w.id)).size).toBe(1);
    expect(new Set(results.slice(6).map((w) => w.id)).size).toBe(1);
    expect(new Set([results[0]!.handle, results[6]!.handle])).toEqual(
      new Set([local, `${local}-2`]),
    );
    const rows = await services.db
      .selectFrom('workspaces')
      .select('owner_id')
      .where('owner_id', 'in', [first.user.id, second.user.id])
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('never takes a reserved word or a malformed local part as a handle', async () => {
    const admin = await signedInCaller(services, { email: `admin@${unique()}.test` });
    expect((await admin.caller.workspace.me()).handle).toMatch(/^admin-ws(-\d+|-[0-9a-f]{6})?$/);
    const short = await signedInCaller(services, { email: `x@${unique()}.test` });
    expect((await short.caller.workspace.me()).handle).toMatch(/^x-ws(-\d+|-[0-9a-f]{6})?$/);
  });
});

describe('workspace.update', () => {
  it('enforces the handle rules, the time zone and the knowledge base size', async () => {
    const { caller } = await signedInCaller(services);
    const bad = { code: 'BAD_REQUEST' };
    for (const handle of [
      'ab',
      'a'.repeat(41),
      'Has Space',
      'double--hyphen',
      '-lead',
      'trail-',
      'api',
    ]) {
      await expect(caller.workspace.update({ handle }), handle).rejects.toMatchObject(bad);
    }
    await expect(caller.workspace.update({ timezone: 'Mars/Olympus' })).rejects.toMatchObject(bad);
    await expect(
      caller.workspace.update({ knowledgeBase: 'x'.repeat(50_001) }),
    ).rejects.toMatchObject(bad);
    await expect(caller.workspace.update({})).rejects.toMatchObject(bad);

    const handle = `studio-${unique()}`;
    const updated = await caller.workspace.update({
      handle: handle.toUpperCase(),
      tone: 'friendly',
      timezone: 'Europe/Madrid',
      knowledgeBase: 'Sessions are 60 minutes. Cancel 24 h ahead.',
      businessName: 'Studio',
      socialLinks: { instagram: 'https://instagram.com/studio' },
      setupCompleted: true,
    });
    expect(updated).toMatchObject({
      handle,
      tone: 'friendly',
      timezone: 'Europe/Madrid',
      profile: { businessName: 'Studio', setupCompleted: true },
    });
  });

  it('gives a contested handle to exactly one of concurrent requests; the others get CONFLICT', async () => {
    const callers = await Promise.all(Array.from({ length: 5 }, () => signedInCaller(services)));
    await Promise.all(callers.map(({ caller }) => caller.workspace.me()));
    const handle = `wanted-${unique()}`;
    const results = await Promise.allSettled(
      callers.map(({ caller }) => caller.workspace.update({ handle })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect(result.reason).toMatchObject({ code: 'CONFLICT' });
    }
  });
});

describe('service.*', () => {
  it('creates, orders, updates and deletes the services of the caller only', async () => {
    const { caller } = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    await expect(caller.service.list()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await caller.workspace.me();
    await stranger.caller.workspace.me();

    const intro = await caller.service.create({
      name: 'Intro call',
      durationMinutes: 15,
      priceCents: 0,
    });
    const session = await caller.service.create({
      name: 'Coaching session',
      durationMinutes: 60,
      priceCents: 8_000,
      currency: 'eur',
    });
    expect(session).toMatchObject({ position: 1, currency: 'EUR', active: true });
    await expect(caller.service.create({ name: 'Bad', durationMinutes: 2 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });

    const reordered = await caller.service.reorder({ serviceIds: [session.id, intro.id] });
    expect(reordered.map((s) => s.name)).toEqual(['Coaching session', 'Intro call']);
    await expect(caller.service.reorder({ serviceIds: [session.id] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });

    const updated = await caller.service.update({ serviceId: intro.id, patch: { active: false } });
    // A patch changes only what it names.
    expect(updated).toMatchObject({ name: 'Intro call', durationMinutes: 15, active: false });

    const notFound = { code: 'NOT_FOUND' };
    await expect(
      stranger.caller.service.update({ serviceId: intro.id, patch: { name: 'Mine' } }),
    ).rejects.toMatchObject(notFound);
    await expect(stranger.caller.service.delete({ serviceId: intro.id })).rejects.toMatchObject(
      notFound,
    );
    expect(await stranger.caller.service.list()).toEqual([]);

    await caller.service.delete({ serviceId: intro.id });
    expect((await caller.service.list()).map((s) => s.name)).toEqual(['Coaching session']);
  });
});

describe('connector.*', () => {
  it("validates each type's config", async () => {
    const { caller } = await signedInCaller(services);
    await caller.workspace.me();
    const bad = { code: 'BAD_REQUEST' };
    await expect(
      caller.connector.create({ type: 'calendly', config: { link: 'http://calendly.com/me' } }),
    ).rejects.toMatchObject(bad);
    await expect(
      caller.connector.create({
        type: 'square',
        config: { bookingUrl: 'https://book.squareup.com/x' } as never,
      }),
    ).rejects.toMatchObject(bad);
    await expect(
      caller.connector.create({
        type: 'calendly',
        config: { link: 'https://calendly.com/me', extra: 1 } as never,
      }),
    ).rejects.toMatchObject(bad);
    const calendly = await caller.connector.create({
      type: 'calendly',
      config: { link: 'https://calendly.com/me/30min' },
    });
    expect(calendly).toMatchObject({ type: 'calendly', active: false });
    // An update is checked against the connector's own type.
    await expect(
      caller.connector.update({
        connectorId: calendly.id,
        config: { bookingUrl: 'https://x.test' },
      }),
    ).rejects.toMatchObject(bad);
    const agendapro = await caller.connector.create({
      type: 'agendapro',
      config: { accountSlug: 'Studio', bookingUrl: 'https://studio.agendapro.com/book' },
    });
    expect(agendapro.config).toEqual({
      accountSlug: 'studio',
      bookingUrl: 'https://studio.agendapro.com/book',
    });
  });

  it('keeps at most one connector active, also under concurrent activations', async () => {
    const { caller } = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    const workspace = await caller.workspace.me();
    await stranger.caller.workspace.me();
    const connectors = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        caller.connector.create({
          type: 'calendly',
          config: { link: `https://calendly.com/me/${i}` },
        }),
      ),
    );
    for (let round = 0; round < 3; round++) {
      await Promise.all(connectors.map((c) => caller.connector.activate({ connectorId: c.id })));
      const active = await services.db
        .selectFrom('scheduling_connectors')
        .select('id')
        .where('workspace_id', '=', workspace.id)
        .where('active', '=', true)
        .execute();
      expect(active).toHaveLength(1);
    }
    const [first] = connectors;
    await caller.connector.activate({ connectorId: first!.id });
    expect((await caller.connector.list()).filter((c) => c.active).map((c) => c.id)).toEqual([
      first!.id,
    ]);
    // An unknown id changes nothing: the active connector stays active.
    await expect(caller.connector.activate({ connectorId: randomUUID() })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await caller.connector.list()).filter((c) => c.active).map((c) => c.id)).toEqual([
      first!.id,
    ]);
    await caller.connector.deactivate({ connectorId: first!.id });
    expect((await caller.connector.list()).some((c) => c.active)).toBe(false);

    // The database holds the rule whatever the code does.
    await services.db
      .updateTable('scheduling_connectors')
      .set({ active: true })
      .where('id', '=', connectors[1]!.id)
      .execute();
    await expect(
      services.db
        .updateTable('scheduling_connectors')
        .set({ active: true })
        .where('id', '=', connectors[2]!.id)
        .execute(),
    ).rejects.toMatchObject({ code: '23505' });

    await expect(
      stranger.caller.connector.activate({ connectorId: first!.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
