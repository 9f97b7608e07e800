// DOM building without innerHTML: every piece of data becomes a text node, so it can never become markup.

/**
 * An element with attributes, properties and children. Keys starting with "on" add event listeners;
 * "class", "for" and aria-/data- keys are attributes; anything else is set as a property.
 * Children are nodes or strings (strings become text nodes); null and false are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class" || key === "for" || key === "role" || key.startsWith("aria-") || key.startsWith("data-")) {
      node.setAttribute(key, value === true ? "" : String(value));
    } else {
      node[key] = value;
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
