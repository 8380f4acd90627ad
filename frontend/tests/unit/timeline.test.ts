import { describe, expect, it } from 'vitest';
import { computeTimeline, placeBarLabel, tickStepDays, unionDays, type TimelineWindow } from '../../src/lib/timeline';
import { modelLabel } from '../../src/lib/labels';
import { MS_DAY } from '../../src/lib/dates';

const now = new Date('2026-06-10T00:00:00Z');
const gov = (id: string, start: string, end: string, extra: Partial<TimelineWindow> = {}): TimelineWindow => ({
  id,
  lane: 'government',
  label: 'NSA',
  start,
  end,
  status: 'active',
  ...extra,
});

describe('unionDays', () => {
  it('counts overlapping intervals once and ignores empty ones', () => {
    const d = (n: number) => Date.UTC(2026, 5, 1) + n * MS_DAY;
    expect(unionDays([[d(0), d(10)], [d(5), d(15)], [d(20), d(22)], [d(30), d(30)]])).toBe(17);
    expect(unionDays([])).toBe(0);
  });
});

describe('computeTimeline', () => {
  it('places bars proportionally inside the plot, ordered in time', () => {
    const g = computeTimeline({
      now,
      width: 1000,
      windows: [gov('a', '2026-06-01T00:00:00Z', '2026-06-11T00:00:00Z'), { ...gov('b', '2026-06-20T00:00:00Z', '2026-07-20T00:00:00Z'), lane: 'partner' }],
    });
    const [a, b] = g.bars;
    expect(a.x).toBeGreaterThanOrEqual(g.plotX);
    expect(b.x + b.width).toBeLessThanOrEqual(g.plotX + g.plotWidth + 1e-6);
    // 10 days vs 30 days: widths keep the ratio.
    expect(b.width / a.width).toBeCloseTo(3, 5);
    expect(b.x).toBeGreaterThan(a.x + a.width);
    // Lanes: partner bars sit below government bars.
    expect(b.y).toBeGreaterThan(a.y);
  });

  it('stops a bar where the window was ended early', () => {
    const g = computeTimeline({
      now,
      width: 1000,
      windows: [gov('a', '2026-06-01T00:00:00Z', '2026-06-21T00:00:00Z', { stoppedAt: '2026-06-06T00:00:00Z', status: 'ended' })],
    });
    const pxPerDay = g.plotWidth / ((g.domainEnd - g.domainStart) / MS_DAY);
    expect(g.bars[0].width).toBeCloseTo(5 * pxPerDay, 5);
  });

  it('puts today and the planned release on the axis, inside the domain', () => {
    const g = computeTimeline({ now, width: 800, windows: [], plannedRelease: '2026-07-01T00:00:00Z' });
    const today = g.markers.find((m) => m.kind === 'today')!;
    const rel = g.markers.find((m) => m.kind === 'planned_release')!;
    expect(today.time).toBe(now.getTime());
    expect(rel.x).toBeGreaterThan(today.x);
    expect(g.domainStart).toBeLessThan(today.time);
    expect(g.domainEnd).toBeGreaterThan(rel.time);
    // Their labels sit on different rows so they cannot overlap.
    expect(rel.labelY).not.toBe(today.labelY);
    // A marker near the right edge is labelled to its left.
    expect(rel.anchor).toBe('end');
  });

  it('shows at least two weeks when there is nothing but today', () => {
    const g = computeTimeline({ now, windows: [] });
    expect((g.domainEnd - g.domainStart) / MS_DAY).toBeGreaterThanOrEqual(14);
  });

  it('meters the 30-day cap from the server figure, clamped to the track', () => {
    const g = computeTimeline({ now, width: 600, windows: [], governmentDaysGranted: 12 });
    expect(g.cap.usedDays).toBe(12);
    expect(g.cap.remainingDays).toBe(18);
    expect(g.cap.usedWidth).toBeCloseTo((12 / 30) * g.cap.trackWidth, 6);
    const over = computeTimeline({ now, width: 600, windows: [], governmentDaysGranted: 45 });
    expect(over.cap.usedWidth).toBeCloseTo(over.cap.trackWidth, 6);
    expect(over.cap.remainingDays).toBe(0);
  });

  it('computes used days from government windows when the server gives none', () => {
    const g = computeTimeline({
      now,
      windows: [gov('a', '2026-06-01T00:00:00Z', '2026-06-11T00:00:00Z'), gov('b', '2026-06-05T00:00:00Z', '2026-06-15T00:00:00Z'), { ...gov('p', '2026-06-20T00:00:00Z', '2026-07-20T00:00:00Z'), lane: 'partner' }],
    });
    expect(g.cap.usedDays).toBe(14);
  });

  it('keeps tick labels inside the drawing and uses fewer ticks when narrow', () => {
    const wide = computeTimeline({ now, width: 1000, windows: [], plannedRelease: '2026-09-01T00:00:00Z' });
    const narrow = computeTimeline({ now, width: 320, windows: [], plannedRelease: '2026-09-01T00:00:00Z' });
    for (const t of [...wide.ticks, ...narrow.ticks]) expect(t.x).toBeGreaterThan(0);
    for (const t of narrow.ticks) expect(t.x).toBeLessThan(320);
    expect(narrow.ticks.length).toBeLessThan(wide.ticks.length);
    expect(tickStepDays(20)).toBe(7);
    expect(tickStepDays(5)).toBe(1);
  });

  it('skips windows with unparseable dates instead of drawing garbage', () => {
    const g = computeTimeline({ now, windows: [gov('x', 'nope', '2026-06-11T00:00:00Z')] });
    expect(g.bars).toHaveLength(0);
  });

  it('gives overlapping windows of one lane their own rows', () => {
    const part = (id: string, start: string, end: string): TimelineWindow => ({ ...gov(id, start, end), lane: 'partner' });
    const g = computeTimeline({
      now,
      width: 1000,
      windows: [part('a', '2026-06-01T00:00:00Z', '2026-06-20T00:00:00Z'), part('b', '2026-06-10T00:00:00Z', '2026-06-30T00:00:00Z'), part('c', '2026-06-21T00:00:00Z', '2026-06-25T00:00:00Z')],
    });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => g.bars.find((x) => x.id === id)!);
    expect(b.y).toBeGreaterThan(a.y);
    expect(c.y).toBe(a.y);
    const lane = g.lanes.find((l) => l.lane === 'partner')!;
    expect(lane.height).toBe(2 * a.height);
    expect(b.y + b.height).toBeLessThanOrEqual(lane.y + lane.height);
  });

  it('leaves room under the axis for the tick labels, with or without the cap meter', () => {
    const g = computeTimeline({ now, width: 600, windows: [], lanes: ['partner'] });
    // 13px labels: their baseline plus descenders stay inside the drawing.
    expect(g.tickLabelY).toBeGreaterThan(g.axisY + 13);
    expect(g.heightWithoutCap).toBeGreaterThanOrEqual(g.tickLabelY + 5);
    expect(g.cap.y - 5 - 14).toBeGreaterThan(g.tickLabelY + 4);
    expect(g.height).toBeGreaterThan(g.cap.y + g.cap.height);
  });
});

describe('placeBarLabel', () => {
  const [minX, maxX] = [2, 318];
  const name = 'River Valley Water Authority';
  it('puts a label inside a bar it fits in', () => {
    expect(placeBarLabel({ x: 20, width: 200 }, 'NSA', minX, maxX)).toEqual({ x: 27, anchor: 'start', inside: true, text: 'NSA' });
  });
  it('puts a short bar’s label to its right when there is room', () => {
    expect(placeBarLabel({ x: 20, width: 30 }, name, minX, maxX)).toEqual({ x: 54, anchor: 'start', inside: false, text: name });
  });
  it('puts it to the left of a short bar near the right edge', () => {
    expect(placeBarLabel({ x: 280, width: 20 }, 'Valley Rural Health', minX, maxX)).toEqual({ x: 276, anchor: 'end', inside: false, text: 'Valley Rural Health' });
  });
  it('shortens a label neither side can hold, on the roomier side, and keeps it inside the drawing', () => {
    const p = placeBarLabel({ x: 150, width: 10 }, 'A very long partner organization name indeed', minX, maxX);
    expect(p.inside).toBe(false);
    expect(p.text.endsWith('…')).toBe(true);
    expect(p.anchor).toBe('start');
    expect(p.x + p.text.length * 7).toBeLessThanOrEqual(maxX);
  });
});

describe('modelLabel', () => {
  it('names a model with its version', () => {
    expect(modelLabel('Aurora-7', '2026.06')).toBe('Aurora-7 2026.06');
    expect(modelLabel('Aurora-7', '')).toBe('Aurora-7');
    expect(modelLabel('Aurora-7', null)).toBe('Aurora-7');
  });
});
