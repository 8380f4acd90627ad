import { describe, expect, it } from 'vitest';
import { withCurrent } from '../../src/lib/modelWindows';

describe('withCurrent', () => {
  it('replaces the listed copy of the grant being viewed with its fresher answer', () => {
    const list = [
      { id: 'a', status: 'awaiting_terms' },
      { id: 'b', status: 'active' },
    ];
    expect(withCurrent(list, { id: 'a', status: 'ended' })).toEqual([
      { id: 'a', status: 'ended' },
      { id: 'b', status: 'active' },
    ]);
  });
  it('adds the grant when the list does not hold it yet', () => {
    expect(withCurrent([{ id: 'b' }], { id: 'a' })).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(withCurrent([], { id: 'a' })).toEqual([{ id: 'a' }]);
  });
});
