// The web hall's home page: the navigation bar (the web account's menu: categories,
// shelves, links) and the promotion slots of the web channel above the latest news
// and packages (docs/web-hall.md#home-promotion-slots-and-navigation).

import { articleTile, el, failure, hall, has, packageTile, route, run, safeUrl, section, show } from "./hall.js";

function navigationTree(items) {
  const children = new Map();
  for (const item of items) {
    if (item.hidden) continue;
    const key = item.parentKey || "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(item);
  }
  for (const list of children.values()) list.sort((a, b) => a.order - b.order);
  return children;
}

function navigationLink(item) {
  if (item.type === "shelf" && item.shelfKind) {
    return el("a", { href: route("shelf", item.shelfKind, item.family), "data-shelf": item.family, text: item.name });
  }
  if (item.article) return el("a", { href: route("article", item.article), text: item.name });
  const url = safeUrl(item.url);
  if (url) return el("a", { href: url, rel: "noopener noreferrer", text: item.name });
  return el("span", { text: item.name });
}

function navigationList(children, key) {
  const list = el("ul");
  for (const item of children.get(key) || []) {
    const entry = el("li", { "data-nav-key": item.key, "data-nav-type": item.type }, navigationLink(item));
    if (children.has(item.key)) entry.append(navigationList(children, item.key));
    list.append(entry);
  }
  return list;
}

export async function renderNavigation() {
  const nav = document.querySelector("[data-navigation]");
  if (!has("web_navigation") || !hall.webAccount) return;
  try {
    const data = await run("web_navigation", { account: hall.webAccount });
    const children = navigationTree(data.menu.items);
    if (!children.has("")) return; // no menu published for the account: no bar
    nav.replaceChildren(navigationList(children, ""));
    nav.hidden = false;
    markCurrent();
  } catch (exc) {
    nav.replaceChildren(failure(exc));
    nav.hidden = false;
  }
}

// The shelf (or page) being shown is marked in the navigation.
export function markCurrent() {
  for (const link of document.querySelectorAll("[data-navigation] a")) {
    if (link.getAttribute("href") === location.hash) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function slotEntryLink(entry) {
  if (entry.target === "ARTICLE" && entry.article) return route("article", entry.article.code);
  if (entry.target === "PACKAGE" && entry.package) return route("package", entry.package.code);
  // A business has no page of its own here: its kind's shelf lists it.
  if (entry.target === "BUSINESS" && entry.business) return route("shelf", "business", entry.business.kind);
  return safeUrl(entry.url);
}

function slotEntry(entry) {
  const href = slotEntryLink(entry);
  const tile = el("div", { class: "hall-tile", "data-slot-entry": entry.position });
  if (entry.image && safeUrl(entry.image.url)) {
    tile.append(el("img", { src: entry.image.url, width: entry.image.width, height: entry.image.height,
      alt: entry.image.alt, loading: "lazy" }));
  }
  const title = href ? el("a", { href, text: entry.title }) : el("span", { text: entry.title });
  if (href && !href.startsWith("#")) title.setAttribute("rel", "noopener noreferrer");
  tile.append(el("strong", {}, title));
  if (entry.subtitle) tile.append(el("p", { class: "hall-muted", text: entry.subtitle }));
  return tile;
}

async function slotsSection() {
  if (!has("web_slots")) return null;
  try {
    const data = await run("web_slots", {});
    const slots = data.slots.filter((slot) => slot.entries.length);
    if (!slots.length) return null;
    return el("div", { "data-section": "slots" }, ...slots.map((slot) => section(slot.title, `slot-${slot.code}`,
      el("div", { class: "hall-grid" }, ...slot.entries.map(slotEntry)))));
  } catch (exc) {
    return failure(exc);
  }
}

export async function home() {
  const [slots, news, packages] = await Promise.all([
    slotsSection(),
    run("miniprogram_articles", { channel: "WEB", first: 6 }).catch((exc) => exc),
    run("web_packages", { first: 4 }).catch((exc) => exc),
  ]);
  const newsBody = news instanceof Error ? failure(news)
    : el("div", { class: "hall-grid" }, ...news.articles.edges.map((edge) => articleTile(edge.node)));
  const packageBody = packages instanceof Error ? failure(packages)
    : el("div", { class: "hall-grid" }, ...packages.packages.edges.map((edge) => packageTile(edge.node, false)));
  show(
    ...(slots ? [slots] : []),
    section("最新资讯", "news", newsBody),
    section("热门套餐", "packages", packageBody, el("p", {}, el("a", { href: "#/packages", text: "全部套餐 ›" }))),
  );
}
