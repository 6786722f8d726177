import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Runs `work` under the V8 CPU profiler of this process (the servers' thread; the load
 * generator is another process) and writes `<dir>/<name>.cpuprofile` (open it in Chrome
 * DevTools or speedscope). Returns the work's result and the profile's self-time summary.
 */
export async function withCpuProfile<T>(
  dir: string,
  name: string,
  work: () => Promise<T>,
): Promise<{ result: T; summary: ProfileSummary; file: string }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const stop = async () => {
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    session.disconnect();
    return profile;
  };
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await stop();
    throw error;
  }
  const profile = await stop();
  const file = path.join(dir, `${name}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  return { result, summary: summarizeProfile(profile), file };
}

export interface ProfileSummary {
  totalMs: number;
  functions: { name: string; ms: number; share: number }[];
  modules: { name: string; ms: number; share: number }[];
}

/** Where a script belongs: an npm package, a workspace package, node's internals, or V8. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const workspace = /\/(apps|packages)\/([^/]+)\/src\/(.*)$/.exec(url);
  if (workspace) return `@stepwise/${workspace[2]} (${workspace[3]})`;
  if (url.startsWith('node:'))
    return url.split('/')[0]!.replace(/^node:internal.*/, 'node:internal');
  return url;
}

export function summarizeProfile(profile: Profile, top = 25): ProfileSummary {
  // Self time per node from the sample stream (hitCount is absent in inspector profiles).
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const next = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, next));
  }
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = moduleOf(url, functionName);
    const file = url ? `${url.split('/').slice(-1)[0]}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${file} [${module}]`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    total += us;
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, functions: rank(byFunction), modules: rank(byModule) };
}

export function printProfileSummary(title: string, summary: ProfileSummary, top = 15) {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  console.log(`\n${title}: ${summary.totalMs.toFixed(0)} ms sampled on the servers' thread`);
  console.log('| self time by module | ms | share |\n|---|---|---|');
  for (const m of summary.modules.slice(0, top)) {
    console.log(`| ${m.name} | ${m.ms.toFixed(0)} | ${pct(m.share)} |`);
  }
  console.log('| self time by function | ms | share |\n|---|---|---|');
  for (const f of summary.functions.slice(0, top)) {
    console.log(`| ${f.name} | ${f.ms.toFixed(0)} | ${pct(f.share)} |`);
  }
}
