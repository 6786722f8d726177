import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('the React Native recipe', () => {
  it('is what the README shows, so the README shows code that type-checks', async () => {
    const [readme, recipe] = await Promise.all([
      readFile(new URL('../README.md', import.meta.url), 'utf8'),
      readFile(new URL('./react-native.ts', import.meta.url), 'utf8'),
    ]);
    expect(readme).toContain(`\`\`\`ts\n${recipe}\`\`\``);
  });
});
