// Small DOM builders shared by the pages. Text always goes in as textContent, never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The focused element in `node`'s tree: inside a shadow root (the embedded map) the document's
 * activeElement is only the host, so ask the root the node belongs to.
 */
export function focusedIn(node) {
  return node.getRootNode().activeElement ?? null;
}

/** <tag class="className">text</tag>; a null className or text is left out. */
export function el(tag, className = null, text = null) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== null) element.textContent = text;
  return element;
}

export function span(className, text) {
  return el('span', className, text);
}

/** <option value="value">text</option> */
export function option(value, text) {
  const element = el('option', null, text);
  element.value = value;
  return element;
}

/** An SVG element with attributes and, optionally, text. */
export function svgEl(name, attrs = {}, text = null) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== null) element.textContent = text;
  return element;
}
