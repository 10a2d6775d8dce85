// Arrow-key navigation: finds the nearest seat in a direction on the grid.

const AXES = {
  ArrowRight: { dx: 1, dy: 0 },
  ArrowLeft: { dx: -1, dy: 0 },
  ArrowDown: { dx: 0, dy: 1 },
  ArrowUp: { dx: 0, dy: -1 },
};

export function isArrowKey(key) {
  return key in AXES;
}

/**
 * The closest seat from `from` in the arrow's direction, or null. Distance along the
 * arrow counts less than drifting sideways, so Left/Right stay in the row and Up/Down
 * go to the nearest row first.
 */
export function nearestSeat(seats, from, key) {
  const axis = AXES[key];
  if (!axis || !from) return null;
  const horizontal = axis.dx !== 0;
  let best = null;
  let bestScore = Infinity;
  for (const seat of seats) {
    const dx = seat.x - from.x;
    const dy = seat.y - from.y;
    const along = horizontal ? dx * axis.dx : dy * axis.dy;
    const across = Math.abs(horizontal ? dy : dx);
    if (along <= 0) continue;
    // Left/Right only leave the row within a 45° cone, so row ends do not jump far.
    if (horizontal && across > along) continue;
    const score = horizontal ? across * 1000 + along : along * 1000 + across;
    if (score < bestScore) {
      best = seat;
      bestScore = score;
    }
  }
  return best;
}
