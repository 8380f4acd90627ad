// Geometry of the access-window timeline: pure functions, so they are unit-tested
// without a DOM. The <Timeline> component only draws what this computes.

import { MS_DAY } from './dates';

export type Lane = 'government' | 'partner';

export interface TimelineWindow {
  id: string;
  lane: Lane;
  label: string;
  start: string;
  end: string;
  /** When a window was ended/revoked early, the bar stops here. */
  stoppedAt?: string | null;
  status: string;
  href?: string;
}

export interface TimelineInput {
  windows: TimelineWindow[];
  plannedRelease?: string | null;
  releasedAt?: string | null;
  now: Date;
  capDays?: number;
  /** Days already counted against the cap (from the server); computed from windows if absent. */
  governmentDaysGranted?: number;
  width?: number;
  /** Which lanes to draw (partners only see their own lane). */
  lanes?: Lane[];
}

export interface Bar extends TimelineWindow {
  x: number;
  y: number;
  width: number;
  height: number;
  effectiveEnd: number;
}

export interface Marker {
  kind: 'today' | 'planned_release' | 'released';
  x: number;
  time: number;
  /** Baseline of the marker's label (its own row above the lanes, so labels never collide). */
  labelY: number;
  /** Where the marker line starts (just under its label). */
  lineTop: number;
  /** Label anchored to the left of the line near the right edge, so it stays inside. */
  anchor: 'start' | 'end';
}

export interface Tick {
  x: number;
  time: number;
}

export interface CapMeter {
  capDays: number;
  usedDays: number;
  remainingDays: number;
  /** Width of the "used" part of the meter, in the same units as `trackWidth`. */
  usedWidth: number;
  trackX: number;
  trackWidth: number;
  y: number;
  height: number;
}

export interface TimelineGeometry {
  width: number;
  /** Height of the whole drawing, cap meter included. */
  height: number;
  /** Height when the cap meter is not drawn: the axis and its tick labels, with room below. */
  heightWithoutCap: number;
  /** Baseline of the tick labels under the axis. */
  tickLabelY: number;
  plotX: number;
  plotWidth: number;
  domainStart: number;
  domainEnd: number;
  lanes: { lane: Lane; y: number; height: number }[];
  bars: Bar[];
  markers: Marker[];
  ticks: Tick[];
  cap: CapMeter;
  axisY: number;
}

export const LANE_HEIGHT = 28;
export const LANE_GAP = 14;
/** Two rows of marker labels ("Today" / release) above the lanes. */
export const MARKER_ROW = 16;
export const TOP = 6 + 2 * MARKER_ROW;
/** Room above each lane for its label, so bars never cover it. */
export const LANE_LABEL_SPACE = 18;
/** Tick marks (5) + 13px labels with their descenders, then a gap before the cap meter. */
const TICK_LABEL_BASELINE = 20;
const AXIS_SPACE = 34;
const CAP_SPACE = 40;
const PAD_X = 12;

/** Total length, in days, of the union of the given intervals (ms pairs). */
export function unionDays(intervals: [number, number][]): number {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const [s, e] of sorted) {
    if (s > curE) {
      if (curE > curS) total += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) {
      curE = e;
    }
  }
  if (curE > curS) total += curE - curS;
  return total / MS_DAY;
}

function t(value: string | null | undefined): number | null {
  if (!value) return null;
  const n = Date.parse(value);
  return Number.isNaN(n) ? null : n;
}

/** A tick step, in days, giving about 4–8 ticks over `spanDays`. */
export function tickStepDays(spanDays: number, maxTicks = 8): number {
  const steps = [1, 2, 7, 14, 30, 60, 90, 180, 365];
  for (const s of steps) if (spanDays / s <= maxTicks) return s;
  return 365;
}

export function computeTimeline(input: TimelineInput): TimelineGeometry {
  const width = input.width ?? 720;
  const capDays = input.capDays ?? 30;
  const now = input.now.getTime();

  const shown = new Set<Lane>(input.lanes?.length ? input.lanes : ['government', 'partner']);
  const spans = input.windows
    .filter((w) => shown.has(w.lane))
    .map((w) => {
      const s = t(w.start);
      const e = t(w.end);
      if (s == null || e == null) return null;
      const stopped = t(w.stoppedAt ?? null);
      const effectiveEnd = stopped != null ? Math.max(s, Math.min(e, stopped)) : e;
      return { w, s, e, effectiveEnd };
    })
    .filter((x): x is NonNullable<typeof x> => x !== null);

  const points: number[] = [now];
  for (const sp of spans) points.push(sp.s, sp.e);
  const planned = t(input.plannedRelease ?? null);
  const released = t(input.releasedAt ?? null);
  if (planned != null) points.push(planned);
  if (released != null) points.push(released);

  let lo = Math.min(...points);
  let hi = Math.max(...points);
  // Always show at least two weeks, centred on what there is, so a lone marker is readable.
  const minSpan = 14 * MS_DAY;
  if (hi - lo < minSpan) {
    const mid = (lo + hi) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const pad = (hi - lo) * 0.04;
  const domainStart = lo - pad;
  const domainEnd = hi + pad;

  const plotX = PAD_X;
  const plotWidth = width - 2 * PAD_X;
  const x = (time: number) => plotX + ((time - domainStart) / (domainEnd - domainStart)) * plotWidth;

  const laneOrder: Lane[] = input.lanes?.length ? input.lanes : ['government', 'partner'];
  // Overlapping windows of one lane (e.g. two partners at once) get rows of their own, so a
  // bar never hides another: greedy interval partitioning, in start order.
  const rowOf = new Map<string, number>();
  const rowsIn = new Map<Lane, number>();
  for (const lane of laneOrder) {
    const rowEnds: number[] = [];
    for (const sp of spans.filter((x) => x.w.lane === lane).sort((a, b) => a.s - b.s || a.effectiveEnd - b.effectiveEnd)) {
      let row = rowEnds.findIndex((end) => end <= sp.s);
      if (row === -1) {
        row = rowEnds.length;
        rowEnds.push(sp.effectiveEnd);
      } else rowEnds[row] = sp.effectiveEnd;
      rowOf.set(sp.w.id, row);
    }
    rowsIn.set(lane, Math.max(1, rowEnds.length));
  }
  const lanes: { lane: Lane; y: number; height: number }[] = [];
  let y = TOP + LANE_LABEL_SPACE;
  for (const lane of laneOrder) {
    const height = LANE_HEIGHT * (rowsIn.get(lane) ?? 1);
    lanes.push({ lane, y, height });
    y += height + LANE_GAP + LANE_LABEL_SPACE;
  }
  const laneY = (lane: Lane) => lanes.find((l) => l.lane === lane)!.y;

  const bars: Bar[] = spans.map(({ w, s, effectiveEnd }) => {
    const x0 = x(s);
    const x1 = x(effectiveEnd);
    return {
      ...w,
      x: x0,
      y: laneY(w.lane) + LANE_HEIGHT * (rowOf.get(w.id) ?? 0),
      // Keep a zero-length (ended on its first minute) window visible as a sliver.
      width: Math.max(2, x1 - x0),
      height: LANE_HEIGHT,
      effectiveEnd,
    };
  });

  const marker = (kind: Marker['kind'], time: number, row: number): Marker => {
    const mx = x(time);
    const labelY = 4 + (row + 1) * MARKER_ROW - 4;
    return { kind, x: mx, time, labelY, lineTop: labelY + 4, anchor: mx > plotX + plotWidth * 0.7 ? 'end' : 'start' };
  };
  const markers: Marker[] = [marker('today', now, 0)];
  if (planned != null) markers.push(marker('planned_release', planned, 1));
  // "Released" shares the second row; if both exist they are usually far apart.
  if (released != null) markers.push(marker('released', released, planned != null && Math.abs(x(released) - x(planned)) < 140 ? 0 : 1));

  const last = lanes[lanes.length - 1];
  const lanesBottom = last.y + last.height;
  const axisY = lanesBottom + 6;

  const stepDays = tickStepDays((domainEnd - domainStart) / MS_DAY, Math.max(3, Math.floor(plotWidth / 72)));
  const first = new Date(domainStart);
  first.setHours(0, 0, 0, 0);
  const ticks: Tick[] = [];
  for (let d = new Date(first); d.getTime() <= domainEnd; d.setDate(d.getDate() + stepDays)) {
    const tx = x(d.getTime());
    // Keep tick labels (centred on the tick) inside the drawing.
    if (tx >= plotX + 22 && tx <= plotX + plotWidth - 22) ticks.push({ x: tx, time: d.getTime() });
    if (ticks.length > 12) break;
  }

  const govIntervals = spans.filter((sp) => sp.w.lane === 'government').map((sp) => [sp.s, sp.effectiveEnd] as [number, number]);
  const usedDays = input.governmentDaysGranted ?? unionDays(govIntervals);
  const usedClamped = Math.max(0, Math.min(capDays, usedDays));
  const capY = axisY + AXIS_SPACE;
  const cap: CapMeter = {
    capDays,
    usedDays,
    remainingDays: Math.max(0, capDays - usedDays),
    trackX: plotX,
    trackWidth: plotWidth,
    usedWidth: (usedClamped / capDays) * plotWidth,
    y: capY + 16,
    height: 12,
  };

  return {
    width,
    height: capY + CAP_SPACE,
    heightWithoutCap: axisY + AXIS_SPACE - 4,
    tickLabelY: axisY + TICK_LABEL_BASELINE,
    plotX,
    plotWidth,
    domainStart,
    domainEnd,
    lanes,
    bars,
    markers,
    ticks,
    cap,
    axisY,
  };
}

/** Width of one character of a bar label (12px bold), as the drawing estimates it. */
export const LABEL_CHAR_WIDTH = 7;

export interface LabelPlacement {
  x: number;
  anchor: 'start' | 'end';
  /** Inside the bar (light text on it) or beside it (dark text on the lane). */
  inside: boolean;
  /** The label, shortened with "…" when even the roomier side cannot hold all of it. */
  text: string;
}

/**
 * Where a bar's label goes: inside the bar when it fits, else beside it — to its right when the
 * drawing has room there, otherwise to its left — so a short window keeps its name. `[minX,
 * maxX]` is the drawable width; a label too long for either side is shortened to the roomier
 * one (the list under the drawing names every window in full).
 */
export function placeBarLabel(bar: { x: number; width: number }, label: string, minX: number, maxX: number): LabelPlacement {
  const width = (t: string) => t.length * LABEL_CHAR_WIDTH;
  if (width(label) + 14 <= bar.width) return { x: bar.x + 7, anchor: 'start', inside: true, text: label };
  const right = bar.x + bar.width + 4;
  const left = bar.x - 4;
  if (right + width(label) <= maxX) return { x: right, anchor: 'start', inside: false, text: label };
  if (left - width(label) >= minX) return { x: left, anchor: 'end', inside: false, text: label };
  const useRight = maxX - right >= left - minX;
  const room = useRight ? maxX - right : left - minX;
  const chars = Math.max(1, Math.floor(room / LABEL_CHAR_WIDTH) - 1);
  const text = `${label.slice(0, chars).trimEnd()}…`;
  return useRight ? { x: right, anchor: 'start', inside: false, text } : { x: left, anchor: 'end', inside: false, text };
}
