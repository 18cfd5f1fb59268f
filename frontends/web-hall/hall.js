// The reference web hall's common ground: its state (config.json and the web account),
// the API (persisted queries by hash, over GET, docs/web-hall.md) and the DOM helpers
// that write text, never markup, plus the package and article tiles several pages show.

export const hall = { config: null, webAccount: null };
const view = () => document.querySelector("[data-view]");

// --- The API: persisted queries by hash, over GET ---------------------------------

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code || "";
  }
}

export function has(name) {
  return Boolean(hall.config && hall.config.queries[name]);
}

export async function run(name, variables) {
  const id = hall.config.queries[name];
  if (!id) throw new ApiError(`持久化查询 ${name} 不在允许列表中`, "PERSISTED_QUERY_NOT_FOUND");
  // Apollo's automatic-persisted-queries protocol over GET (the hash, never the
  // document), as Apollo, urql and Relay clients send it.
  const params = new URLSearchParams({
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }),
    variables: JSON.stringify(variables || {}),
  });
  // no-cache: revalidate with the ETag every time, so a publish shows on the next load.
  const response = await fetch(`${hall.config.graphql}?${params}`, {
    cache: "no-cache",
    headers: {
      Authorization: `Bearer ${hall.config.token}`,
      Accept: "application/graphql-response+json, application/json;q=0.9",
    },
  });
  let body;
  try {
    body = await response.json();
  } catch (exc) {
    throw new ApiError(`接口返回了无法解析的应答(HTTP ${response.status})`);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, (first.extensions || {}).code);
  }
  return body.data;
}

// --- DOM, text only unless told ---------------------------------------------------

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// An http(s) URL or a path on this site (local media files); never javascript: or data:.
export function safeUrl(url) {
  return typeof url === "string" && (/^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url)) ? url : null;
}

export function route(...parts) {
  return "#/" + parts.map((part) => encodeURIComponent(part)).join("/");
}

export function show(...nodes) {
  const main = view();
  main.replaceChildren(...nodes);
  main.dataset.ready = "true";
}

export function failure(exc) {
  const code = exc.code ? `(${exc.code})` : "";
  return el("p", { class: "hall-error", "data-error": exc.code || "error", text: `出错了:${exc.message}${code}` });
}

export function section(title, name, ...children) {
  return el("section", { class: "hall-section", "data-section": name }, el("h2", { text: title }), ...children);
}

// A search snippet: the API escapes the text and marks matches with <em>; only the
// text and those <em> are kept, parsed in an inert document.
export function snippet(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
  const out = el("p", { class: "hall-snippet" });
  for (const node of parsed.body.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) out.append(node.textContent);
    else if (node.nodeName === "EM") out.append(el("em", { text: node.textContent }));
    else out.append(node.textContent || "");
  }
  return out;
}

// --- Tiles ------------------------------------------------------------------------------

export function packageTile(pkg, selectable) {
  const tile = el("div", { class: "hall-tile", "data-package": pkg.code },
    el("a", { href: route("package", pkg.code), text: pkg.name }),
    el("p", { class: "hall-fee", text: `${pkg.monthlyFee}元/月` }),
    el("p", { class: "hall-muted", text: [pkg.family, pkg.orderCommand && `发送 ${pkg.orderCommand} 办理`]
      .filter(Boolean).join(" · ") }));
  if (selectable) {
    const box = el("input", { type: "checkbox", "data-compare": pkg.code, "aria-label": `对比 ${pkg.name}` });
    tile.prepend(el("label", { class: "hall-muted" }, box, " 加入对比"));
  }
  return tile;
}

export function articleTile(article) {
  const tile = el("div", { class: "hall-tile", "data-article": article.code });
  if (article.coverImage && safeUrl(article.coverImage.url)) {
    tile.append(el("img", { src: article.coverImage.url, alt: "", loading: "lazy" }));
  }
  tile.append(el("a", { href: route("article", article.code), text: article.title }));
  if (article.digest) tile.append(el("p", { class: "hall-muted", text: article.digest }));
  return tile;
}
