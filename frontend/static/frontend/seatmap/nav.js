// Arrow-key navigation: the nearest seat in a direction, on a grid or on a plan's curved rows.

const AXES = {
  ArrowRight: { dx: 1, dy: 0 },
  ArrowLeft: { dx: -1, dy: 0 },
  ArrowDown: { dx: 0, dy: 1 },
  ArrowUp: { dx: 0, dy: -1 },
};

export function isArrowKey(key) {
  return key in AXES;
}

function sameRow(a, b) {
  return a.section === b.section && a.row === b.row;
}

/**
 * The closest seat from `from` in the arrow's direction, or null. Left/Right move along
 * the row (curved or not) and only leave it at its end, within a 45° cone; Up/Down go
 * to the nearest row, weighing sideways drift three times the distance forward, so a
 * curved row's far end never wins over the seat just behind.
 */
export function nearestSeat(seats, from, key) {
  const axis = AXES[key];
  if (!axis || !from) return null;
  const horizontal = axis.dx !== 0;
  let best = null;
  let bestScore = Infinity;
  for (const seat of seats) {
    if (seat === from) continue;
    const dx = seat.x - from.x;
    const dy = seat.y - from.y;
    const along = horizontal ? dx * axis.dx : dy * axis.dy;
    const across = Math.abs(horizontal ? dy : dx);
    if (along <= 0) continue;
    let score;
    if (horizontal) {
      const inRow = sameRow(seat, from);
      if (!inRow && across > along) continue;
      // Any seat of the same row beats every seat of another row.
      score = inRow ? along : 1e12 + across * 1000 + along;
    } else {
      if (sameRow(seat, from) || across > 3 * along) continue;
      score = along + 3 * across;
    }
    if (score < bestScore) {
      best = seat;
      bestScore = score;
    }
  }
  return best;
}
