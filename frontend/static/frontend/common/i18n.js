// The JavaScript texts' translations: Django's djangojs catalogue, with the same gettext,
// ngettext, pgettext and interpolate as Django's JavaScript catalogue, plus the overrides a
// page embedding the seat map may give (its `messages` option), and prices and dates written
// the way the language writes them. No dependencies and no eval: a shop's Content Security
// Policy may forbid unsafe-eval, so the catalogue's plural expression is never run; the
// plural rule comes from the language code instead.
//
// Texts are looked up when they are shown, never when a module is imported: the catalogue
// may be installed after the modules that use it were loaded (the widget fetches it).

const CONTEXT_SEPARATOR = '\x04'; // gettext's msgctxt + EOT + msgid, as Django keys them

// The plural form index for n, per language: what their Plural-Forms say, without eval.
const PLURAL_RULES = {
  en: (n) => (n !== 1 ? 1 : 0),
  de: (n) => (n !== 1 ? 1 : 0),
  nl: (n) => (n !== 1 ? 1 : 0),
  es: (n) => (n !== 1 ? 1 : 0),
  fr: (n) => (n > 1 ? 1 : 0),
};

let catalog = {};
let overrides = {};
let lang = 'en';
const missing = new Set();

/** The language's base code ("de" of "de-AT"), lower case. */
function baseCode(code) {
  return String(code || 'en').toLowerCase().split(/[-_]/)[0];
}

function pluralIndex(n) {
  return (PLURAL_RULES[baseCode(lang)] ?? PLURAL_RULES.en)(Number(n));
}

/** Only a non-English catalogue can lack a text: English is the source. */
function noteMissing(key) {
  if (baseCode(lang) !== 'en') missing.add(key);
}

/** The override's or the catalogue's value for `key` (a string or a list of plural forms). */
function lookup(key) {
  if (Object.hasOwn(overrides, key)) return overrides[key];
  if (Object.hasOwn(catalog, key)) return catalog[key];
  noteMissing(key);
  return undefined;
}

/** A list of forms read for n; an empty form (untranslated) counts as missing. */
function pick(forms, n) {
  const text = forms[Math.min(pluralIndex(n), forms.length - 1)];
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/**
 * Installs a catalogue as Django's JSONCatalog answers it ({catalog, formats, plural}) plus
 * the language code (`lang`). The plural expression is ignored (see above). What the last
 * catalogue lacked is forgotten: missingMessages() speaks of this one.
 */
export function setCatalogue({ catalog: entries = {}, lang: code = 'en' } = {}) {
  catalog = { ...(entries ?? {}) };
  lang = code || 'en';
  missing.clear();
}

/** msgid -> text (or [singular, plural]) that wins over the catalogue. */
export function setMessages(messages) {
  overrides = { ...(messages ?? {}) };
}

/** The current language code ('en' until a catalogue says otherwise). */
export function language() {
  return lang;
}

/** The msgids (context\x04msgid with a context) asked for since a non-English catalogue was
 *  installed that neither it nor the overrides had. */
export function missingMessages() {
  return new Set(missing);
}

export function gettext(msgid) {
  const value = lookup(msgid);
  if (value === undefined) return msgid;
  if (typeof value === 'string') return value || msgid;
  return pick(value, 1) ?? msgid;
}

export function ngettext(singular, plural, n) {
  const value = lookup(singular);
  const fallback = Number(n) === 1 ? singular : plural;
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value || fallback;
  return pick(value, n) ?? fallback;
}

export function pgettext(context, msgid) {
  const key = context + CONTEXT_SEPARATOR + msgid;
  // An override may name the text by its msgid alone: embedders need not know contexts.
  if (!Object.hasOwn(overrides, key) && Object.hasOwn(overrides, msgid)) return gettext(msgid);
  const value = gettext(key);
  return value.includes(CONTEXT_SEPARATOR) ? msgid : value;
}

/** Django's interpolate: `%(name)s` from an object when `named`, else `%s` from a list in turn. */
export function interpolate(fmt, values, named) {
  if (named) return fmt.replace(/%\(\w+\)s/g, (match) => String(values[match.slice(2, -2)]));
  const queue = [...values];
  return fmt.replace(/%s/g, () => String(queue.shift()));
}

const numberFormats = new Map(); // "lang|currency" -> Intl.NumberFormat: building one is slow

function numberFormat(currency) {
  const key = `${lang}|${currency ?? ''}`;
  if (!numberFormats.has(key)) {
    const fixed = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
    let format;
    try {
      const options = currency ? { style: 'currency', currency } : fixed;
      format = new Intl.NumberFormat(lang, options);
    } catch {
      format = null; // an unknown currency code or language: written as it comes
    }
    numberFormats.set(key, format);
  }
  return numberFormats.get(key);
}

/**
 * A price as the language writes it ("60,00 €" in German). English keeps the form every
 * English page of the site has always shown, "60.00 EUR", the server's pages included.
 */
export function formatPrice(amount, currency) {
  const number = Number(amount);
  const plain = `${number.toFixed(2)}${currency ? ` ${currency}` : ''}`;
  if (baseCode(lang) === 'en' || !Number.isFinite(number)) return plain;
  const format = numberFormat(currency);
  return format ? format.format(number) : plain;
}

/** A date as the language writes it, in the site's time zone (<html data-time-zone>) unless
 *  `options.timeZone` says otherwise. */
export function formatDateTime(date, options = {}) {
  const timeZone = globalThis.document?.documentElement?.dataset?.timeZone || undefined;
  const value = date instanceof Date ? date : new Date(date);
  try {
    return new Intl.DateTimeFormat(lang, { timeZone, ...options }).format(value);
  } catch {
    return new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' }).format(value);
  }
}

// Our own pages carry the active language's catalogue in a JSON data block (CSP allows it).
const block = globalThis.document?.getElementById?.('js-catalogue');
if (block) {
  try {
    setCatalogue(JSON.parse(block.textContent));
  } catch {
    console.warn('Ignoring a js-catalogue block that is not JSON');
  }
}
