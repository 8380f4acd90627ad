// A model's government and partner windows, for the timeline on the model and grant pages.
import { useEffect, useState } from 'react';
import { fetchAll } from '../api/client';
import * as grantsApi from '../api/grants';
import * as partnerGrantsApi from '../api/partnerGrants';
import type { AccessGrantSummary, PartnerGrantSummary } from '../api/types';
import { shownStatus } from './labels';
import type { TimelineWindow } from './timeline';

/** A number of days to one decimal, or a dash. */
export function fmt(n: number | null | undefined): string {
  if (n == null || Number.isNaN(n)) return '—';
  return String(Math.round(n * 10) / 10);
}

/** Government and partner windows of one model, for its timeline. */
export function useModelWindows(modelId: string | null) {
  const [state, setState] = useState<{ gov: AccessGrantSummary[]; partner: PartnerGrantSummary[]; loaded: boolean }>({
    gov: [],
    partner: [],
    loaded: false,
  });
  useEffect(() => {
    if (!modelId) return;
    let live = true;
    Promise.all([
      fetchAll((p) => grantsApi.list({ model_id: modelId }, p)).catch(() => [] as AccessGrantSummary[]),
      fetchAll((p) => partnerGrantsApi.list({ model_id: modelId }, p)).catch(() => [] as PartnerGrantSummary[]),
    ]).then(([gov, partner]) => {
      if (live) setState({ gov, partner, loaded: true });
    });
    return () => {
      live = false;
    };
  }, [modelId]);
  return state;
}

export function windowsOf(gov: AccessGrantSummary[], partner: PartnerGrantSummary[]): TimelineWindow[] {
  return [
    ...gov.map((g) => ({
      id: g.id,
      lane: 'government' as const,
      label: g.grantees.map((x) => x.agency_code || x.name).join(', ') || 'Government',
      start: g.starts_at,
      end: g.ends_at,
      stoppedAt: g.ended_at,
      status: shownStatus(g.status, g.grantees),
      href: `/access-grants/${g.id}`,
    })),
    ...partner.map((p) => ({
      id: p.id,
      lane: 'partner' as const,
      label: p.partner_name,
      start: p.starts_at,
      end: p.ends_at,
      stoppedAt: p.revoked_at,
      status: shownStatus(p.status, [{ declined_at: p.partner_declined_at }]),
      href: `/partner-grants/${p.id}`,
    })),
  ];
}

/**
 * The model's windows with the grant being viewed taken from its own, fresher answer: the list
 * is loaded once with the page, and the grant changes under it (declined, ended, moved) while
 * the page stays open. A grant not yet in the list is added.
 */
export function withCurrent<T extends { id: string }>(list: T[], current: T): T[] {
  return list.some((x) => x.id === current.id) ? list.map((x) => (x.id === current.id ? current : x)) : [current, ...list];
}
