/**
 * @overview "My reviews": the signed-in admin's undecided items across active campaigns
 * (`GET /api/access-reviews/queue`, filter open and undecided), grouped by campaign with its due
 * date and progress chart, each item with its evidence and Certify / Revoke / Narrow. Several items
 * can be ticked and certified or revoked together with one justification; each is decided on its
 * own (`POST /api/access-reviews/items/:id/decision`), so an item the API refuses (it grants the
 * reviewer's own access) stays with the API's reason while the others are decided.
 */
import { Alert, Box, Card, CardContent, CardHeader, LinearProgress, Link, Stack, Toolbar, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Button, HttpError, Title, useCanAccess, useGetOne, useNotify, useTranslate } from 'react-admin';

import { CampaignProgressChart } from '../access-reviews/CampaignProgressChart.tsx';
import { type Campaign, type Decision, type ReviewItem } from '../access-reviews/types.ts';
import { relativeTime } from '../common/RelativeDateField.tsx';
import { useApi } from '../common/useApi.ts';
import { httpClient } from '../http.ts';
import { DecisionDialog } from './DecisionDialog.tsx';
import { itemTitle, ReviewItemCard } from './ReviewItemCard.tsx';

const queuePath = `/api/access-reviews/queue?${new URLSearchParams({ filter: JSON.stringify({ open: true, undecided: true }), sort: JSON.stringify(['createdAt', 'ASC']), range: JSON.stringify([0, 499]) }).toString()}`;

/** What the open dialog decides: one item, or the ticked ones. */
type Pending = { decision: Decision; items: ReviewItem[] } | null;

function CampaignHeader({ campaignId, version }: { campaignId: string; version: number }) {
  const translate = useTranslate();
  const { data: campaign } = useGetOne<Campaign>('access-reviews', { id: campaignId });
  const title = campaign?.name ?? campaignId;
  return (
    <CardHeader
      title={<Link href={`#/access-reviews/${campaignId}/show`}>{title}</Link>}
      subheader={campaign ? translate('crossgate.accessReviews.queue.due', { when: relativeTime(new Date(campaign.dueAt)) }) : undefined}
      slotProps={{ title: { component: 'h2', variant: 'h6', id: `campaign-${campaignId}-title` } }}
      action={<CampaignProgressChart campaignId={campaignId} live version={version} size={120} />}
    />
  );
}

export function MyReviewsPage() {
  const translate = useTranslate();
  const { canAccess, isPending } = useCanAccess({ resource: 'access-reviews', action: 'review' });
  if (isPending) {
    return null;
  }
  if (!canAccess) {
    return (
      <Stack sx={{ mt: 2 }}>
        <Title title={translate('crossgate.accessReviews.queue.title')} />
        <Alert severity="info">{translate('crossgate.accessReviews.queue.notReviewer')}</Alert>
      </Stack>
    );
  }
  return <ReviewQueue />;
}

function ReviewQueue() {
  const translate = useTranslate();
  const notify = useNotify();
  const { data: queue, failed, reload } = useApi<ReviewItem[]>(queuePath);
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Pending>(null);
  const items = queue ?? [];
  // A campaign stays on the page once its last item of mine is decided, so its progress stays in view.
  const [seen, setSeen] = useState<string[]>([]);
  useEffect(() => {
    setSeen((current) => {
      const added = (queue ?? []).map((item) => item.campaignId).filter((id, index, all) => !current.includes(id) && all.indexOf(id) === index);
      return added.length === 0 ? current : [...current, ...added];
    });
  }, [queue]);
  const campaigns = seen;

  /** Decides each item on its own; refusals of separation of duties stay on their item. */
  const decide = async (decision: Decision, justification: string, keptScopes: string[]) => {
    const targets = pending?.items ?? [];
    const refused: Record<string, string> = {};
    let decided = 0;
    for (const item of targets) {
      const body = decision === 'narrow' ? { decision, justification, scopes: keptScopes } : { decision, justification };
      try {
        await httpClient(`/api/access-reviews/items/${item.id}/decision`, { method: 'POST', body: JSON.stringify(body) });
        decided += 1;
      } catch (caught) {
        // 403: the API will not let this reviewer decide the item; anything else is for the dialog.
        if (caught instanceof HttpError && caught.status === 403) {
          refused[item.id] = caught.message;
        } else if (targets.length === 1) {
          throw caught;
        } else {
          refused[item.id] = caught instanceof Error ? caught.message : String(caught);
        }
      }
    }
    setRefusals((current) => ({ ...current, ...refused }));
    setSelected(new Set());
    setPending(null);
    if (decided > 0) {
      notify('crossgate.accessReviews.decide.done', { type: 'success', messageArgs: { smart_count: decided } });
    }
    if (Object.keys(refused).length > 0 && targets.length > 1) {
      notify('crossgate.accessReviews.decide.refused', { type: 'warning', messageArgs: { smart_count: Object.keys(refused).length } });
    }
    setVersion((current) => current + 1);
    reload();
  };

  const ticked = items.filter((item) => selected.has(item.id));
  const what = pending === null ? '' : pending.items.length === 1 ? itemTitle(pending.items[0] as ReviewItem) : translate('crossgate.accessReviews.queue.items', { smart_count: pending.items.length });
  return (
    <Stack sx={{ mt: 2, gap: 2 }}>
      <Title title={translate('crossgate.accessReviews.queue.title')} />
      {failed && <Alert severity="error">{translate('crossgate.accessReviews.queue.failed')}</Alert>}
      {queue === null && !failed && <LinearProgress aria-label={translate('crossgate.accessReviews.queue.title')} />}
      {queue !== null && items.length === 0 && <Alert severity="success">{translate('crossgate.accessReviews.queue.empty')}</Alert>}
      {items.length > 0 && (
        <Toolbar role="toolbar" aria-label={translate('crossgate.accessReviews.queue.bulk')} variant="dense" sx={{ gap: 1, bgcolor: 'action.hover', borderRadius: 1 }}>
          <Typography variant="body2" role="status">
            {translate('crossgate.accessReviews.queue.selected', { smart_count: ticked.length })}
          </Typography>
          <Button label={translate('crossgate.accessReviews.queue.certifySelected')} color="success" disabled={ticked.length === 0} onClick={() => setPending({ decision: 'certify', items: ticked })} />
          <Button label={translate('crossgate.accessReviews.queue.revokeSelected')} color="error" disabled={ticked.length === 0} onClick={() => setPending({ decision: 'revoke', items: ticked })} />
        </Toolbar>
      )}
      {campaigns.map((campaignId) => (
        <Card key={campaignId} component="section" aria-labelledby={`campaign-${campaignId}-title`}>
          <CampaignHeader campaignId={campaignId} version={version} />
          <CardContent>
            <Stack sx={{ gap: 2 }}>
              {!items.some((item) => item.campaignId === campaignId) && <Alert severity="success">{translate('crossgate.accessReviews.queue.campaignDone')}</Alert>}
              {items
                .filter((item) => item.campaignId === campaignId)
                .map((item) => (
                  <ReviewItemCard
                    key={item.id}
                    item={item}
                    selected={selected.has(item.id)}
                    onSelect={(on) =>
                      setSelected((current) => {
                        const next = new Set(current);
                        if (on) {
                          next.add(item.id);
                        } else {
                          next.delete(item.id);
                        }
                        return next;
                      })
                    }
                    onDecide={(decision) => setPending({ decision, items: [item] })}
                    refusal={refusals[item.id]}
                  />
                ))}
            </Stack>
          </CardContent>
        </Card>
      ))}
      <Box>
        <DecisionDialog decision={pending?.decision ?? null} what={what} scopes={pending?.items.length === 1 ? pending.items[0]?.scopes : []} onDecide={decide} onClose={() => setPending(null)} />
      </Box>
    </Stack>
  );
}
