// The shared waiting line (`queue.line`, docs/asyncapi.yaml): every waiting page gets the same
// frame and works out its own place from it with its rank.

/**
 * The page's place in `line`: `{position, exact}`, or null when its rank is not in the line
 * (admitted, lapsed or left: the page's own `queue.status` says which).
 * `marks` are [position, rank] pairs in order: a marked rank is exact; between two marks the
 * position is interpolated by rank (ranks are spread evenly) and kept strictly between theirs.
 */
export function placeInLine(line, rank) {
  const marks = line.marks || [];
  if (rank === null || rank === undefined || !marks.length) return null;
  let low = 0;
  let high = marks.length - 1;
  if (rank < marks[0][1] || rank > marks[high][1]) return null;
  // The last mark at or below the rank.
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (marks[mid][1] <= rank) low = mid;
    else high = mid - 1;
  }
  const [position, markRank] = marks[low];
  if (markRank === rank) return { position, exact: true };
  const [nextPosition, nextRank] = marks[low + 1];
  const share = (rank - markRank) / (nextRank - markRank);
  const guess = Math.round(position + share * (nextPosition - position));
  return {
    position: Math.min(nextPosition - 1, Math.max(position + 1, guess)),
    exact: nextPosition - position === 2,
  };
}

/**
 * Seconds until `position` is admitted, as the server works it out: the time to the opening,
 * plus one rate interval per person ahead; null while paused or at a rate of 0.
 */
export function estimatedWait(line, position, nowMs, opensAtMs) {
  if (line.paused || !line.rate_per_minute) return null;
  const start = Math.max(0, (opensAtMs - nowMs) / 1000);
  return Math.floor(start + ((position - 1) * 60) / line.rate_per_minute);
}
