/** The reminder cadence: which step is due when, for campaigns launched long and shortly before their due date. */
import { reminderStepAt } from '../src/access-reviews/access-review-reminders.processor.ts';

const hour = 3_600_000;
const day = 24 * hour;
const dueAt = new Date('2026-12-31T12:00:00.000Z');
const before = (ms: number) => new Date(dueAt.getTime() - ms);
const after = (ms: number) => new Date(dueAt.getTime() + ms);

describe('reminderStepAt', () => {
  const longCampaign = { launchedAt: before(30 * day), dueAt };

  it('should tighten toward the due date: launch, 7 days, 3 days, 1 day and 2 hours before', () => {
    expect(reminderStepAt(longCampaign, before(30 * day))).toBe('launch');
    expect(reminderStepAt(longCampaign, before(7 * day + 1))).toBe('launch');
    expect(reminderStepAt(longCampaign, before(7 * day))).toBe('due-7d');
    expect(reminderStepAt(longCampaign, before(3 * day))).toBe('due-3d');
    expect(reminderStepAt(longCampaign, before(day - 1))).toBe('due-1d');
    expect(reminderStepAt(longCampaign, before(2 * hour))).toBe('due-2h');
    expect(reminderStepAt(longCampaign, before(1))).toBe('due-2h');
  });

  it('should leave the due day to the escalation, then remind once a day', () => {
    expect(reminderStepAt(longCampaign, dueAt)).toBeNull();
    expect(reminderStepAt(longCampaign, after(day - 1))).toBeNull();
    expect(reminderStepAt(longCampaign, after(day))).toBe('overdue-1d');
    expect(reminderStepAt(longCampaign, after(3 * day + hour))).toBe('overdue-3d');
  });

  it('should skip the steps that fell before the launch', () => {
    const shortCampaign = { launchedAt: before(2 * day), dueAt };
    expect(reminderStepAt(shortCampaign, before(2 * day))).toBe('launch');
    expect(reminderStepAt(shortCampaign, before(day + hour))).toBe('launch');
    expect(reminderStepAt(shortCampaign, before(day))).toBe('due-1d');
  });
});
