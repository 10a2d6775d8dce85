// Dates and times as the whole site writes them: the public pages' Django format
// "D j M Y, H:i" ("Sat 5 Dec 2026, 19:30"), 24-hour clock, in the site's time zone
// (settings.TIME_ZONE, on <html data-time-zone>), never the browser's locale or zone.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const formats = new Map(); // time zone -> Intl.DateTimeFormat: building one is slow

/** The site's time zone: <html data-time-zone>, else UTC. */
export function siteTimeZone() {
  return globalThis.document?.documentElement?.dataset?.timeZone || 'UTC';
}

function formatFor(timeZone) {
  if (!formats.has(timeZone)) {
    const options = {
      weekday: 'short',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    };
    let format;
    try {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' }); // unknown zone
    }
    formats.set(timeZone, format);
  }
  return formats.get(timeZone);
}

/** The wall clock in `timeZone` at epoch `ms`: {weekday, day, month (1-12), year, hour, minute, second}. */
function wallClock(ms, timeZone) {
  const parts = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  return {
    weekday: parts.weekday,
    day: Number(parts.day),
    month: Number(parts.month),
    year: Number(parts.year),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

const two = (n) => String(n).padStart(2, '0');

/** "Sat 5 Dec 2026, 19:30"; '' for a missing or invalid time. */
export function dateTimeText(ms, timeZone = siteTimeZone()) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const w = wallClock(ms, timeZone);
  return `${w.weekday} ${w.day} ${MONTHS[w.month - 1]} ${w.year}, ${two(w.hour)}:${two(w.minute)}`;
}

/** "19:30:05": a time of day, for lists of today's changes. */
export function timeText(ms, timeZone = siteTimeZone()) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const w = wallClock(ms, timeZone);
  return `${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
}

// "Sat 5 Dec 2026, 19:30", "5 Dec 2026 19:30" (weekday and comma optional), or "2026-12-05 19:30".
const WRITTEN = /^(?:[a-z]{3},?\s+)?(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})$/i;
const NUMERIC = /^(\d{4})-(\d{1,2})-(\d{1,2})[T\s]+(\d{1,2}):(\d{2})$/;

/**
 * Epoch ms of a date and time typed in the site's format, read as wall-clock time in
 * `timeZone`; null for anything else (including days that do not exist, like 31 Feb).
 */
export function parseDateTimeText(text, timeZone = siteTimeZone()) {
  const value = String(text ?? '').trim();
  let fields = null;
  let match = WRITTEN.exec(value);
  if (match) {
    const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2].toLowerCase()) + 1;
    fields = [Number(match[3]), month, Number(match[1]), Number(match[4]), Number(match[5])];
  } else if ((match = NUMERIC.exec(value))) {
    fields = match.slice(1, 6).map(Number);
  }
  if (!fields) return null;
  const [year, month, day, hour, minute] = fields;
  if (month < 1 || hour > 23 || minute > 59) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offset at that moment, found by looking at its wall clock; a second look covers
  // a change of offset (summer time) between the guess and the answer.
  let ms = asUtc - offsetAt(asUtc, timeZone);
  ms = asUtc - offsetAt(ms, timeZone);
  const w = wallClock(ms, timeZone);
  const same = w.year === year && w.month === month && w.day === day;
  return same && w.hour === hour && w.minute === minute ? ms : null;
}

function offsetAt(ms, timeZone) {
  const w = wallClock(ms, timeZone);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}
