// Your hold over time: the countdown, the 60 s warning, the extend limit and the expiry notice.

import { expiredText, warningText } from '../common/texts.js';

const WARN_BEFORE_MS = 60_000;

/**
 * `say` speaks through the polite live region; `panel` shows the hold; `onExpired` hears of
 * each hold that ran out, once. Holds shorter than the warning time start inside it: nothing
 * to warn about that "held" did not say.
 */
export function createHoldWatch(store, panel, say, holdSeconds, onExpired = () => {}) {
  const startsWarned = holdSeconds * 1000 <= WARN_BEFORE_MS;
  let previous = { seats: [], until: null };
  let expiryNoticeFor = null; // `until` of the hold already announced as expired
  let warned = false;
  let limitHit = false; // the server answered extend_limit for this hold

  function noticeExpiry() {
    if (expiryNoticeFor === previous.until) return;
    expiryNoticeFor = previous.until;
    say(expiredText());
    onExpired();
  }

  return {
    /** A seats.changed was applied: did it take seats of our hold away by expiry? */
    changed(msg, ids) {
      // A coalesced message lists every reason it folds together.
      if (!(msg.reasons ?? [msg.reason]).includes('expired')) return;
      const changed = new Set(ids);
      if (previous.seats.some((seat) => changed.has(seat.id))) noticeExpiry();
    },

    /** The server refused to extend: the hold is as long as it gets. */
    limitReached() {
      limitHit = true;
    },

    /** Bring panel and countdown in line with the store at server time `now`. */
    refresh(now) {
      const hold = store.myHold(now);
      const ranOut = previous.until !== null && previous.until <= now;
      if (hold.seats.length === 0 && previous.seats.length > 0 && ranOut) noticeExpiry();
      if (hold.seats.length === 0) limitHit = false;
      const fresh = previous.seats.length === 0;
      previous = hold;

      panel.showHold(hold, (code) => store.category(code), store.firstCategory()?.currency);
      const left = hold.seats.length && hold.until !== null ? hold.until - now : null;
      const warning = left !== null && left <= WARN_BEFORE_MS;
      if (warning && !warned && !(fresh && startsWarned)) say(warningText());
      warned = warning;
      panel.showCountdown(left, warning);
      const maxUntil = store.maxUntil();
      const atMax = maxUntil !== null && hold.until !== null && hold.until >= maxUntil;
      panel.setExtendLimit(limitHit || atMax);
      return hold;
    },
  };
}
