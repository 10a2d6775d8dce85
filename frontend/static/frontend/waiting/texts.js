// The waiting page's wording.

/** "about 3 minutes", "under a minute": the estimate in words. */
export function waitText(seconds, paused) {
  if (paused) return 'paused for now';
  if (seconds === null || seconds === undefined) return 'unknown';
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
}

/** A place or a count of people ahead: "4,312", or "about 4,310" when worked out between marks. */
export function placeText(count, exact) {
  const text = count.toLocaleString('en');
  return exact ? text : `about ${text}`;
}
