import { useEffect, useId, useRef, useState } from 'react';
import { LANE_LABEL_SPACE, computeTimeline, placeBarLabel, type Lane, type TimelineWindow } from '../lib/timeline';
import { formatDate, formatDateTime } from '../lib/dates';
import { statusLabel, statusTone } from '../lib/labels';
import { useNow } from '../lib/hooks';

const LANE_LABEL = { government: 'Government access', partner: 'Partner early access' } as const;
const MARKER_LABEL = { today: 'Today', planned_release: 'Planned partner release', released: 'Released' } as const;

function fmtNum(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function fmtDays(n: number): string {
  const r = Math.round(n * 10) / 10;
  return `${r} day${r === 1 ? '' : 's'}`;
}

/**
 * Government and partner windows of one model on a time axis, with the planned release,
 * a "today" marker and a meter of the 30-day government cap. Pure SVG styled by classes
 * (no inline styles, CSP-safe); the list under it is the text alternative.
 */
export function Timeline({
  windows,
  plannedRelease,
  releasedAt,
  governmentDaysGranted,
  capDays = 30,
  caption = 'Access windows',
  showCap = true,
  lanes,
  currentId,
}: {
  windows: TimelineWindow[];
  plannedRelease?: string | null;
  releasedAt?: string | null;
  governmentDaysGranted?: number;
  capDays?: number;
  caption?: string;
  showCap?: boolean;
  lanes?: Lane[];
  /** The grant whose page this is: outlined in the drawing and named in the list. */
  currentId?: string;
}) {
  const now = useNow();
  const uid = useId().replace(/:/g, '');
  // Draw at the real pixel width so text keeps its size on phones (no shrunken viewBox).
  const boxRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const el = boxRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width);
      if (w > 0) setWidth(Math.max(300, Math.min(960, w)));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const g = computeTimeline({ windows, plannedRelease, releasedAt, now, capDays, governmentDaysGranted, width, lanes });
  const titleId = `tl-title-${uid}`;
  const descId = `tl-desc-${uid}`;

  return (
    <figure className="fap-timeline">
      <figcaption id={titleId} className="fap-timeline__caption">
        {caption}
      </figcaption>
      <div className="fap-timeline__scroll" ref={boxRef}>
        <svg
          className="fap-timeline__svg"
          viewBox={`0 0 ${g.width} ${showCap ? g.height : g.heightWithoutCap}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={descId}
          preserveAspectRatio="xMinYMin meet"
        >
          {g.lanes.map((l) => (
            <rect key={l.lane} className="fap-tl-lane" x={g.plotX} y={l.y} width={g.plotWidth} height={l.height} rx={3} />
          ))}
          {g.bars.map((b) => (
            <g key={b.id}>
              <rect
                className={`fap-tl-bar fap-tl-bar--${b.lane} fap-tl-status--${statusTone(b.status)}${b.id === currentId ? ' fap-tl-bar--current' : ''}`}
                x={b.x}
                y={b.y + 4}
                width={b.width}
                height={b.height - 8}
                rx={3}
              >
                <title>{`${b.id === currentId ? 'This grant — ' : ''}${b.label}: ${formatDateTime(b.start)} to ${formatDateTime(b.end)} (${statusLabel(b.status)})`}</title>
              </rect>
            </g>
          ))}
          <line className="fap-tl-axis" x1={g.plotX} x2={g.plotX + g.plotWidth} y1={g.axisY} y2={g.axisY} />
          {g.ticks.map((t) => (
            <g key={t.time}>
              <line className="fap-tl-tick" x1={t.x} x2={t.x} y1={g.axisY} y2={g.axisY + 5} />
              <text className="fap-tl-tick-label" x={t.x} y={g.tickLabelY} textAnchor="middle">
                {new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' }).format(new Date(t.time))}
              </text>
            </g>
          ))}
          {g.markers.map((m) => (
            <g key={m.kind}>
              <line className={`fap-tl-marker fap-tl-marker--${m.kind}`} x1={m.x} x2={m.x} y1={m.lineTop} y2={g.axisY} />
              <text
                className={`fap-tl-marker-label fap-tl-marker-label--${m.kind}`}
                x={m.x}
                y={m.labelY}
                textAnchor={m.anchor}
                dx={m.anchor === 'end' ? 3 : -3}
              >
                {MARKER_LABEL[m.kind]}
              </text>
            </g>
          ))}
          {/* Window names inside their bars when they fit, else beside them, so short windows keep
              their names (the list below names every window); drawn after the markers so the
              "today" line passes behind them. */}
          {g.bars.map((b) => {
            if (!b.label) return null;
            const p = placeBarLabel(b, b.label, 2, g.width - 2);
            const tone = p.inside ? `fap-tl-bar-label--${b.lane} fap-tl-bar-label--${statusTone(b.status)}` : 'fap-tl-bar-label--outside';
            return (
              <text
                key={`label-${b.id}`}
                className={`fap-tl-bar-label ${tone}${b.id === currentId ? ' fap-tl-bar-label--current' : ''}`}
                x={p.x}
                y={b.y + b.height / 2 + 4}
                textAnchor={p.anchor}
                aria-hidden="true"
              >
                {p.text}
              </text>
            );
          })}
          {/* Lane labels last, on a backing, so marker lines pass behind them and they stay readable. */}
          {g.lanes.map((l) => (
            <g key={l.lane}>
              <rect
                className="fap-tl-lane-label-bg"
                x={g.plotX - 2}
                y={l.y - LANE_LABEL_SPACE + 1}
                width={LANE_LABEL[l.lane].length * 7.6 + 6}
                height={LANE_LABEL_SPACE - 3}
                rx={2}
              />
              <text className="fap-tl-lane-label" x={g.plotX} y={l.y - 5}>
                {LANE_LABEL[l.lane]}
              </text>
            </g>
          ))}
          {showCap && (
            <g>
              <text className="fap-tl-cap-label" x={g.cap.trackX} y={g.cap.y - 5}>
                {`Government days: ${fmtNum(g.cap.usedDays)} of ${capDays} used`}
              </text>
              <rect className="fap-tl-cap-track" x={g.cap.trackX} y={g.cap.y} width={g.cap.trackWidth} height={g.cap.height} rx={3} />
              <rect className="fap-tl-cap-used" x={g.cap.trackX} y={g.cap.y} width={g.cap.usedWidth} height={g.cap.height} rx={3} />
            </g>
          )}
        </svg>
      </div>
      <ul className="fap-timeline__legend" aria-hidden="true">
        {g.lanes.some((l) => l.lane === 'government') && (
          <li>
            <span className="fap-swatch fap-swatch--government" /> Government window
          </li>
        )}
        <li>
          <span className="fap-swatch fap-swatch--partner" /> Partner window
        </li>
        {currentId && windows.some((w) => w.id === currentId) && (
          <li>
            <span className="fap-swatch fap-swatch--current" /> This grant
          </li>
        )}
        <li>
          <span className="fap-swatch fap-swatch--today" /> Today
        </li>
        {plannedRelease && (
          <li>
            <span className="fap-swatch fap-swatch--release" /> Planned release
          </li>
        )}
      </ul>
      <div id={descId} className="fap-timeline__text">
        <ul className="usa-list">
          {windows.length === 0 && <li>No access windows yet.</li>}
          {windows.map((w) => (
            <li key={w.id} className={w.id === currentId ? 'fap-timeline__current' : undefined}>
              {w.id === currentId && <strong>This grant: </strong>}
              {LANE_LABEL[w.lane]} — {w.label}: {formatDate(w.start)} to {formatDate(w.end)}
              {w.stoppedAt ? `, stopped ${formatDate(w.stoppedAt)}` : ''} ({statusLabel(w.status)})
            </li>
          ))}
          {showCap && (
            <li>
              Government days counted against the {capDays}-day cap: {fmtDays(g.cap.usedDays)} used,{' '}
              {fmtDays(g.cap.remainingDays)} remaining.
            </li>
          )}
          {/* undefined = not known to this reader (agencies do not load the model); null = not set. */}
          {plannedRelease !== undefined && <li>Planned partner release: {plannedRelease ? formatDateTime(plannedRelease) : 'not set'}.</li>}
          {releasedAt && <li>Released: {formatDateTime(releasedAt)}.</li>}
          <li>Today: {formatDateTime(now)}.</li>
        </ul>
      </div>
    </figure>
  );
}
