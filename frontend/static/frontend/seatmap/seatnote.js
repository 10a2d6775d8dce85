// A short note pinned next to a seat on the map: why a tap was refused, shown where the eye
// (and the finger) is, not only in the panel, which on a phone sits below the map. The
// panel's status line still says it for screen readers; the note itself is only visual.

// How long a note stays up unless the map moves or another note replaces it.
export const NOTE_MS = 6000;
// Gap between the note and its seat, and the least margin to the frame's edges (CSS px).
const GAP = 6;
const MARGIN = 4;

/**
 * Where a note of `size` goes for a seat at `seat`, both relative to a frame of `frame`
 * size: centred above the seat, or below it when there is no room above, kept inside.
 */
export function notePlace(seat, size, frame) {
  const centre = seat.left + seat.width / 2;
  const maxLeft = Math.max(MARGIN, frame.width - size.width - MARGIN);
  const left = Math.min(Math.max(centre - size.width / 2, MARGIN), maxLeft);
  const above = seat.top - GAP - size.height;
  const top = above >= MARGIN ? above : seat.top + seat.height + GAP;
  return { left: Math.round(left), top: Math.round(top), below: above < MARGIN };
}

export function createSeatNote(frame, svg, { timeoutMs = NOTE_MS } = {}) {
  const note = document.createElement('p');
  note.className = 'seat-note';
  note.id = 'seat-note';
  note.hidden = true;
  note.setAttribute('aria-hidden', 'true');
  frame.append(note);
  let timer = null;

  function hide() {
    clearTimeout(timer);
    timer = null;
    note.hidden = true;
    delete note.dataset.seatId;
  }

  // The note points at where the seat was: once the map moves, it would point elsewhere.
  for (const type of ['wheel', 'pointerdown', 'keydown']) {
    frame.addEventListener(type, hide, { passive: true });
  }

  return {
    /** Pin `text` next to seat `id`; false when the seat is not drawn. */
    show(id, text) {
      const seat = svg.querySelector(`.seat[data-seat-id="${Number(id)}"]`);
      if (!seat || !text) return false;
      note.textContent = text;
      note.dataset.seatId = String(id);
      note.hidden = false;
      const box = frame.getBoundingClientRect();
      const r = seat.getBoundingClientRect();
      const place = notePlace(
        { left: r.left - box.left, top: r.top - box.top, width: r.width, height: r.height },
        { width: note.offsetWidth, height: note.offsetHeight },
        { width: box.width, height: box.height },
      );
      note.style.left = `${place.left}px`;
      note.style.top = `${place.top}px`;
      note.classList.toggle('is-below', place.below);
      clearTimeout(timer);
      timer = setTimeout(hide, timeoutMs);
      return true;
    },
    hide,
  };
}
