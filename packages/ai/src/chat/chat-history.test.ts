import { describe, expect, it } from 'vitest';
import type { ChatTurn } from './chat.prompt.js';
import { estimateTokens, fitHistory, foldIntoSummary } from './chat-history.js';

function turns(count: number, chars = 36): ChatTurn[] {
  return Array.from({ length: count }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `${i}`.padEnd(chars, '.'),
  }));
}

describe('estimateTokens', () => {
  it('is ceil(chars / 4) + 4', () => {
    expect(estimateTokens({ role: 'user', content: '' })).toBe(4);
    expect(estimateTokens({ role: 'user', content: 'abcde' })).toBe(6);
    expect(estimateTokens({ role: 'assistant', content: 'x'.repeat(400) })).toBe(104);
  });
});

describe('fitHistory', () => {
  it('keeps everything that fits', () => {
    const history = turns(4); // 13 tokens each
    expect(fitHistory(history, { tokenBudget: 52 })).toEqual({ kept: history, folded: [] });
  });

  it('keeps the most recent turns within the budget and folds the rest', () => {
    const history = turns(6); // 13 tokens each
    const { kept, folded } = fitHistory(history, { tokenBudget: 40 });
    expect(kept).toEqual(history.slice(4));
    expect(folded).toEqual(history.slice(0, 4));
    expect(kept.reduce((sum, turn) => sum + estimateTokens(turn), 0)).toBeLessThanOrEqual(40);
  });

  it('never starts the kept part with an assistant turn', () => {
    const history = turns(6); // budget for 3 turns: u a [u a u a] → starts at a user turn
    const { kept, folded } = fitHistory(history, { tokenBudget: 39 });
    expect(kept[0]?.role).toBe('user');
    expect(kept).toEqual(history.slice(4));
    expect([...folded, ...kept]).toEqual(history);
  });

  it('folds a latest turn larger than the whole budget', () => {
    const history: ChatTurn[] = [{ role: 'user', content: 'x'.repeat(1000) }];
    expect(fitHistory(history, { tokenBudget: 100 })).toEqual({ kept: [], folded: history });
    expect(fitHistory([], { tokenBudget: 100 })).toEqual({ kept: [], folded: [] });
  });
});

describe('foldIntoSummary', () => {
  it('adds one extractive line per folded turn', () => {
    const summary = foldIntoSummary('', [
      { role: 'user', content: 'I have a bad knee.\nCan we avoid hills?' },
      { role: 'assistant', content: 'Sure, I moved the hill repeats to flat tempo runs.' },
    ]);
    expect(summary).toBe(
      'User: I have a bad knee. Can we avoid hills?\nAssistant: Sure, I moved the hill repeats to flat tempo runs.',
    );
  });

  it('keeps the first sentences of long turns', () => {
    const long = `${'Run easy on Mondays. '.repeat(5)}${'and then more words '.repeat(30)}`;
    const summary = foldIntoSummary('', [{ role: 'assistant', content: long }]);
    expect(summary.length).toBeLessThanOrEqual(160 + 'Assistant: '.length);
    expect(summary).toMatch(/^Assistant: Run easy on Mondays\. .*Mondays\.$/);
    const noSentences = foldIntoSummary('', [{ role: 'user', content: 'word '.repeat(100) }]);
    expect(noSentences).toMatch(/…$/);
  });

  it('appends to the previous summary and drops the oldest lines past the bound', () => {
    let summary = '';
    for (let i = 0; i < 50; i++) {
      summary = foldIntoSummary(summary, [{ role: 'user', content: `Message number ${i}.` }], {
        maxChars: 200,
      });
      expect(summary.length).toBeLessThanOrEqual(200);
    }
    expect(summary.split('\n').at(-1)).toBe('User: Message number 49.');
    expect(summary).not.toContain('Message number 0.');
  });

  it('is deterministic and bounded even for one huge line', () => {
    const folded: ChatTurn[] = [{ role: 'user', content: 'a'.repeat(10_000) }];
    expect(foldIntoSummary('x', folded, { maxChars: 50 })).toBe(
      foldIntoSummary('x', folded, { maxChars: 50 }),
    );
    expect(foldIntoSummary('', folded, { maxChars: 50 }).length).toBe(50);
    expect(foldIntoSummary('keep me', [])).toBe('keep me');
  });
});
