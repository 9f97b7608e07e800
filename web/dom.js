// DOM building without innerHTML: every piece of data becomes a text node, so it can never become markup.

// Keys written as HTML attributes. The rest are DOM properties, whose names differ in case from some
// attributes: a "novalidate" or "tabindex" property does nothing (they are noValidate and tabIndex), which
// once let the browser's own validation bubbles cover the app's errors. Attribute names can't be wrong.
const ATTRIBUTES = new Set(["class", "for", "role", "tabindex", "novalidate", "autocomplete", "spellcheck", "inputmode"]);

/**
 * An element with attributes, properties and children. Keys starting with "on" add event listeners;
 * ATTRIBUTES and aria-/data- keys are attributes (true sets an empty one); anything else is a property.
 * Children are nodes or strings (strings become text nodes); null and false are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (ATTRIBUTES.has(key) || key.startsWith("aria-") || key.startsWith("data-")) {
      node.setAttribute(key, value === true ? "" : String(value));
    } else if (key in node) {
      node[key] = value;
    } else {
      throw new TypeError(`<${tag}> has no property "${key}": list it in ATTRIBUTES if it is an attribute`);
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace every child of ``node``. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** A link to a stored URL: only http(s) links are clickable, and they open without passing the opener. */
export function externalLink(url, text) {
  const safe = /^https?:\/\//i.test(url);
  return safe
    ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, text)
    : el("span", {}, text);
}

/** A date as the reader's locale shows it. */
export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Move focus to ``node`` (made focusable by script only) and bring it into view; a keyboard user goes on from there. */
export function focusOn(node) {
  if (!node) return;
  if (!node.matches("a[href], button, input, select, textarea, [tabindex]")) node.setAttribute("tabindex", "-1");
  node.focus();
}
