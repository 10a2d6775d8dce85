// <seat-map event="7" key="pk_…" lang="de" theme="dark">: our live seat map on a shop's own
// page (docs/embed.md). Served from our origin as an ES module; everything it shows lives in its
// shadow root, styled by our stylesheets and the host page's custom properties and ::part().
//
// The element asks our server to start (the key, the page's origin and the event are checked
// there), draws the map the server rendered in the chosen language, and mounts the same live
// map as our own page on it. Holds belong to a visitor session the server made for this key;
// its token is kept in the page's localStorage so a reload finds its hold again.

import { gettext, setCatalogue, setMessages } from '../common/i18n.js';
import { mountSeatMap } from '../seatmap/app.js';
import { refusalText, seatInfo, wsOrigin } from './support.js';

const SERVER = new URL(import.meta.url).origin;
const STATIC = new URL('../', import.meta.url).href;
// Close codes after which the element starts over (a new visitor) or gives up for good.
const VISITOR_UNKNOWN = 4440;
const REFUSED = { 4401: 'key_invalid', 4403: 'origin_not_allowed', 4404: 'event_not_found' };

function storageKey(key) {
  return `seat-map.visitor.${key}`;
}

/** Storage can be refused (privacy settings, sandboxed frames): then every visit is new. */
function remembered(key) {
  try {
    return localStorage.getItem(storageKey(key)) ?? '';
  } catch {
    return '';
  }
}

function remember(key, visitor) {
  try {
    if (visitor) localStorage.setItem(storageKey(key), visitor);
    else localStorage.removeItem(storageKey(key));
  } catch {
    // Not kept: the next visit gets a new visitor.
  }
}

/** The language asked for: the attribute, else the host page's, else the browser's. */
function wantedLanguage(element) {
  const code = element.getAttribute('lang') || document.documentElement.lang || navigator.language;
  return (code || 'en').toLowerCase().split('-')[0];
}

export class SeatMapElement extends HTMLElement {
  static observedAttributes = ['event', 'key', 'lang', 'theme'];

  #frame = null; // the wrapper inside the shadow root
  #map = null; // mountSeatMap's handle while mounted
  #run = 0; // bumps on every start: answers of an older start are dropped
  #held = new Map(); // seat id -> seat info, as last announced
  #until = null;
  #overrides = {};

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }

  connectedCallback() {
    this.#start();
  }

  disconnectedCallback() {
    this.#stop();
  }

  attributeChangedCallback(name, old, value) {
    if (!this.isConnected || old === value) return;
    if (name === 'theme') this.#applyTheme();
    else this.#start();
  }

  /** Texts to use instead of ours: keyed by our English text (or a text as shown). */
  get messages() {
    return { ...this.#overrides };
  }

  set messages(value) {
    this.#overrides = { ...(value ?? {}) };
    setMessages(this.#overrides);
    if (this.#frame) this.#overrideStatic(this.#frame);
  }

  /** The seats the visitor holds now, in plan order. */
  get selection() {
    if (!this.#map) return [];
    return this.#map.myHold().seats.map((seat) => seatInfo(seat, this.#map.store));
  }

  /** The running hold's token for the shop's checkout: `{holdToken, seatIds, heldUntil}`. */
  async holdToken() {
    if (!this.#map) throw new Error('not_ready');
    const reply = await this.#map.socket.request({ type: 'handoff' });
    if (reply.type === 'error') throw Object.assign(new Error(reply.code), { code: reply.code });
    return { holdToken: reply.hold_token, seatIds: reply.seat_ids, heldUntil: reply.held_until };
  }

  /** Give back these seats of the visitor's hold, or all of it. */
  async release(seatIds) {
    if (!this.#map) return;
    await this.#map.release(seatIds);
  }

  /** Raise `type`; false when a listener called preventDefault() on it. */
  #emit(type, detail, cancelable = false) {
    const event = new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable });
    return this.dispatchEvent(event);
  }

  #stop() {
    this.#run += 1;
    this.#map?.destroy();
    this.#map = null;
  }

  #applyTheme() {
    if (this.#frame) this.#frame.dataset.theme = this.getAttribute('theme') || 'light';
  }

  #render(body) {
    const root = this.shadowRoot;
    root.replaceChildren();
    for (const sheet of ['app.css', 'embed/embed.css']) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = STATIC + sheet;
      root.append(link);
    }
    const frame = document.createElement('div');
    frame.className = 'seat-map-embed';
    frame.setAttribute('part', 'frame');
    frame.append(...body);
    root.append(frame);
    this.#frame = frame;
    this.#applyTheme();
    return frame;
  }

  #refuse(code, detail = null) {
    const text = refusalText(code, gettext);
    const note = document.createElement('p');
    note.className = 'embed-refusal';
    note.setAttribute('role', 'alert');
    note.setAttribute('part', 'refusal');
    note.dataset.code = code;
    note.textContent = text;
    this.#render([note]);
    this.#emit('error', { code, message: text, detail });
  }

  async #start() {
    this.#stop();
    const run = this.#run;
    const eventId = this.getAttribute('event');
    const key = this.getAttribute('key');
    const lang = wantedLanguage(this);
    this.#held = new Map();
    this.#until = null;
    const status = document.createElement('p');
    status.className = 'connection-status';
    status.id = 'connection-status';
    status.dataset.state = 'connecting';
    status.textContent = gettext('Connecting…');
    this.#render([status]);
    if (!eventId || !key) {
      this.#refuse('bad_attributes');
      return;
    }
    await this.#loadCatalogue(lang);
    let started;
    try {
      started = await this.#ask(eventId, key, lang);
    } catch {
      if (run === this.#run) this.#refuse('unreachable');
      return;
    }
    if (run !== this.#run) return;
    if (started.problem) {
      this.#refuse(started.problem.code ?? 'refused', started.problem.detail ?? null);
      return;
    }
    this.#mount(started.answer, key, run);
  }

  async #loadCatalogue(lang) {
    if (lang === 'en') {
      setCatalogue({ catalog: {}, plural: null, lang: 'en' });
      return;
    }
    try {
      const response = await fetch(`${SERVER}/embed/v1/messages/${lang}.json`, {
        credentials: 'omit',
      });
      if (response.ok) setCatalogue({ ...(await response.json()), lang });
    } catch {
      // English texts rather than none.
    }
    setMessages(this.#overrides);
  }

  async #ask(eventId, key, lang) {
    const query = new URLSearchParams({ key, lang, visitor: remembered(key) });
    const response = await fetch(
      `${SERVER}/embed/v1/events/${encodeURIComponent(eventId)}/start?${query}`,
      { credentials: 'omit', cache: 'no-store' },
    );
    const body = await response.json().catch(() => ({}));
    return response.ok ? { answer: body } : { problem: { code: 'refused', ...body } };
  }

  #mount(answer, key, run) {
    remember(key, answer.visitor);
    const status = this.shadowRoot.getElementById('connection-status');
    const holder = document.createElement('div');
    holder.innerHTML = answer.html; // our server's own rendering of seatmap_layout.html
    const frame = this.#render([status, ...holder.childNodes]);
    frame.lang = answer.lang;
    if (answer.waiting_room) {
      this.#waitingRoom(answer.seat_map_url);
      return;
    }
    this.#overrideStatic(frame);
    const query = new URLSearchParams({ key, visitor: answer.visitor });
    this.#map = mountSeatMap(this.shadowRoot, {
      eventId: String(answer.event.id),
      socketUrl: `${wsOrigin(SERVER)}${answer.socket}?${query}`,
      maxPerHolder: answer.max_per_holder,
      holdSeconds: answer.hold_seconds,
      mode: 'embed',
      versionElement: frame,
      fetchLayout: async (url) => {
        const response = await fetch(new URL(url, SERVER), { credentials: 'omit' });
        if (!response.ok) throw new Error(`layout: HTTP ${response.status}`);
        return response.json();
      },
      hooks: {
        onHold: (hold) => this.#holdNow(hold),
        onExpired: () => this.#emit('holdexpired', {}),
        onError: (reply, text) => this.#emit('error', { code: reply.code, message: text }),
        onSnapshot: () => this.#emit('ready', { eventId: answer.event.id, lang: answer.lang }),
        onStatus: (state, code) => this.#statusChanged(state, code, key, run),
      },
    });
    this.shadowRoot
      .getElementById('checkout-button')
      ?.addEventListener('click', () => this.#checkout(answer.event.id, answer.checkout_url));
  }

  #waitingRoom(url) {
    const note = document.createElement('p');
    note.className = 'embed-waiting';
    note.setAttribute('part', 'waiting');
    note.append(gettext('This event has a waiting room. '));
    const link = document.createElement('a');
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = gettext('Join the queue on the ticket site');
    note.append(link);
    this.#render([note]);
    this.#emit('error', { code: 'waiting_room', message: note.textContent });
  }

  #statusChanged(state, code, key, run) {
    if (state !== 'closed' || run !== this.#run) return;
    if (code === VISITOR_UNKNOWN) {
      remember(key, '');
      this.#start();
      return;
    }
    this.#stop();
    this.#refuse(REFUSED[code] ?? 'refused');
  }

  /** Announce what changed in the visitor's hold since the last refresh. */
  #holdNow(hold) {
    const store = this.#map?.store;
    if (!store) return;
    const now = new Map(hold.seats.map((seat) => [seat.id, seatInfo(seat, store)]));
    let changed = false;
    for (const [id, seat] of now) {
      if (!this.#held.has(id)) {
        changed = true;
        this.#emit('seatselected', { seat });
      }
    }
    for (const [id, seat] of this.#held) {
      if (!now.has(id)) {
        changed = true;
        this.#emit('seatdeselected', { seat });
      }
    }
    const until = hold.seats.length && hold.until !== null ? new Date(hold.until).toISOString() : null;
    if (until !== this.#until) changed = true;
    this.#held = now;
    this.#until = until;
    if (changed) this.#emit('holdchanged', { seats: [...now.values()], heldUntil: until });
  }

  /** Hand the hold over: to the page's `checkout` listener, or, if none takes it
   *  (preventDefault), to the event's checkout URL as our own page's hand-off does. */
  async #checkout(eventId, checkoutUrl) {
    try {
      const handed = await this.holdToken();
      if (this.#emit('checkout', { eventId, ...handed }, true) && checkoutUrl) {
        const url = new URL(checkoutUrl);
        url.searchParams.set('hold_token', handed.holdToken);
        url.searchParams.set('event_id', String(eventId));
        window.location.assign(url.href);
      }
    } catch (error) {
      const text = refusalText(error.code ?? 'no_hold', gettext);
      this.#map?.say(text);
      this.#emit('error', { code: error.code ?? 'no_hold', message: text });
    }
  }

  /** Apply message overrides keyed by a text as shown (our static labels, any language). */
  #overrideStatic(frame) {
    const overrides = this.#overrides;
    if (!Object.keys(overrides).length) return;
    const walker = document.createTreeWalker(frame, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.trim();
      if (text && typeof overrides[text] === 'string') {
        node.nodeValue = node.nodeValue.replace(text, overrides[text]);
      }
    }
  }
}

if (!customElements.get('seat-map')) customElements.define('seat-map', SeatMapElement);
