// Ring buffer of seats changed per reason per second, over the last 300 seconds.

export const REASONS = [
  'held',
  'released',
  'expired',
  'booked',
  'cancelled',
  'blocked',
  'unblocked',
];
export const SLOTS = 300;

function emptySlot(second) {
  const slot = { second };
  for (const reason of REASONS) slot[reason] = 0;
  return slot;
}

export function createActivityBuffer(slots = SLOTS) {
  const ring = Array.from({ length: slots }, () => emptySlot(-Infinity));
  const at = (second) => ring[((second % slots) + slots) % slots];

  return {
    /** Count `n` seats for `reason` in the second that contains `ms` (server time). */
    add(ms, reason, n) {
      if (!REASONS.includes(reason) || !Number.isFinite(ms)) return;
      const second = Math.floor(ms / 1000);
      let slot = at(second);
      if (slot.second > second) return; // older than the whole window
      if (slot.second < second) {
        slot = emptySlot(second);
        ring[((second % slots) + slots) % slots] = slot;
      }
      slot[reason] += n;
    },

    /** The window ending at `nowMs`, oldest first: one slot per second, null when quiet. */
    window(nowMs) {
      const end = Math.floor(nowMs / 1000);
      const out = [];
      for (let second = end - slots + 1; second <= end; second++) {
        const slot = at(second);
        out.push(slot.second === second ? slot : null);
      }
      return out;
    },
  };
}
