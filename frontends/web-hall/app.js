// The reference web hall: reads the CMS's GraphQL API through persisted queries only
// (GET /graphql/?id=<sha256>&variables=..., docs/web-hall.md), with the token that
// config.json hands out. Rendition HTML is shown as the API gives it (sanitized by the
// CMS); everything else is written as text, never as markup.
"use strict";

(function () {
  const LABELS = {
    family: "套餐系列", brands: "适用品牌", sale_orgs: "销售范围", saleOrganisations: "销售范围",
    monthly_fee: "月费(元)", monthlyFee: "月费(元)", data_mb: "流量", dataMb: "流量",
    voice_minutes: "语音(分钟)", voiceMinutes: "语音(分钟)", sms_count: "短信(条)", smsCount: "短信(条)",
    contract_months: "合约期(月)", contractMonths: "合约期(月)", order_command: "订购指令",
    orderCommand: "订购指令", cancel_command: "退订指令", cancelCommand: "退订指令",
    valid_from: "生效日期", validFrom: "生效日期", valid_to: "失效日期", validTo: "失效日期", highlights: "卖点",
  };
  const KIND_LABELS = { ARTICLE: "资讯", PACKAGE: "套餐", BUSINESS: "业务", SMS_TEMPLATE: "短信指令" };
  const COMPARE_MIN = 2;
  const COMPARE_MAX = 5;

  let config = null;
  let webAccount = null;
  const view = () => document.querySelector("[data-view]");

  // --- The API: persisted queries by hash, over GET ---------------------------------

  class ApiError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code || "";
    }
  }

  function has(name) {
    return Boolean(config && config.queries[name]);
  }

  async function run(name, variables) {
    const id = config.queries[name];
    if (!id) throw new ApiError(`持久化查询 ${name} 不在允许列表中`, "PERSISTED_QUERY_NOT_FOUND");
    const params = new URLSearchParams({ id, variables: JSON.stringify(variables || {}) });
    // no-cache: revalidate with the ETag every time, so a publish shows on the next load.
    const response = await fetch(`${config.graphql}?${params}`, {
      cache: "no-cache",
      headers: {
        Authorization: `Bearer ${config.token}`,
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

  function el(tag, attrs, ...children) {
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
  function safeUrl(url) {
    return typeof url === "string" && (/^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url)) ? url : null;
  }

  function route(...parts) {
    return "#/" + parts.map((part) => encodeURIComponent(part)).join("/");
  }

  function show(...nodes) {
    const main = view();
    main.replaceChildren(...nodes);
    main.dataset.ready = "true";
  }

  function failure(exc) {
    const code = exc.code ? `(${exc.code})` : "";
    return el("p", { class: "hall-error", "data-error": exc.code || "error", text: `出错了:${exc.message}${code}` });
  }

  function section(title, name, ...children) {
    return el("section", { class: "hall-section", "data-section": name }, el("h2", { text: title }), ...children);
  }

  // A search snippet: the API escapes the text and marks matches with <em>; only the
  // text and those <em> are kept, parsed in an inert document.
  function snippet(html) {
    const parsed = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
    const out = el("p", { class: "hall-snippet" });
    for (const node of parsed.body.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) out.append(node.textContent);
      else if (node.nodeName === "EM") out.append(el("em", { text: node.textContent }));
      else out.append(node.textContent || "");
    }
    return out;
  }

  // --- Home: navigation, slots, news and packages ------------------------------------

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

  async function renderNavigation() {
    const nav = document.querySelector("[data-navigation]");
    if (!has("web_navigation") || !webAccount) return;
    try {
      const data = await run("web_navigation", { account: webAccount });
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
  function markCurrent() {
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

  function articleTile(article) {
    const tile = el("div", { class: "hall-tile", "data-article": article.code });
    if (article.coverImage && safeUrl(article.coverImage.url)) {
      tile.append(el("img", { src: article.coverImage.url, alt: "", loading: "lazy" }));
    }
    tile.append(el("a", { href: route("article", article.code), text: article.title }));
    if (article.digest) tile.append(el("p", { class: "hall-muted", text: article.digest }));
    return tile;
  }

  async function home() {
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

  // --- Packages: list, shelf, comparison, detail ---------------------------------------

  function packageTile(pkg, selectable) {
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

  async function packageList(family) {
    const data = await run("web_packages", { family: family || null, first: 50 });
    const tiles = data.packages.edges.map((edge) => packageTile(edge.node, true));
    const button = el("button", { type: "button", "data-compare-button": true, disabled: true, text: "对比所选套餐" });
    const hint = el("span", { class: "hall-muted", text: ` 选择 ${COMPARE_MIN}–${COMPARE_MAX} 个套餐` });
    const grid = el("div", { class: "hall-grid" }, ...tiles);
    grid.addEventListener("change", () => {
      const chosen = [...grid.querySelectorAll("[data-compare]:checked")];
      button.disabled = chosen.length < COMPARE_MIN || chosen.length > COMPARE_MAX;
    });
    button.addEventListener("click", () => {
      const codes = [...grid.querySelectorAll("[data-compare]:checked")].map((box) => box.dataset.compare);
      location.hash = route("compare", codes.join(","));
    });
    const body = tiles.length ? grid : el("p", { class: "hall-muted", text: "暂无在售套餐" });
    show(section(family ? `套餐 · ${family}` : "全部套餐", "package-list", body,
      el("div", { class: "hall-compare-bar" }, button, hint)));
  }

  async function businessShelf(kind) {
    const data = await run("web_businesses", { kind: kind || null, first: 50 });
    const tiles = data.businesses.edges.map(({ node }) => el("div", { class: "hall-tile", "data-business": node.code },
      el("strong", { text: node.name }), el("p", { class: "hall-fee", text: `${node.monthlyFee}元/月` }),
      el("p", { class: "hall-muted", text: node.orderCommand ? `发送 ${node.orderCommand} 办理` : "" })));
    const body = tiles.length ? el("div", { class: "hall-grid" }, ...tiles) : el("p", { class: "hall-muted", text: "暂无在售业务" });
    show(section(kind ? `业务 · ${kind}` : "全部业务", "business-list", body));
  }

  async function comparison(codes) {
    const data = await run("web_package_comparison", { codes });
    const table = data.packageComparison;
    const head = el("tr", {}, el("th", { text: "项目" }),
      ...table.packages.map((pkg) => el("th", {}, el("a", { href: route("package", pkg.code), text: pkg.name }))));
    const rows = table.rows.map((row) => el("tr", { class: row.differs ? "hall-differs" : null, "data-row": row.field },
      el("th", { text: LABELS[row.field] || row.field }), ...row.values.map((value) => el("td", { text: value ?? "—" }))));
    show(section("套餐对比", "comparison",
      el("table", { class: "hall-comparison" }, el("thead", {}, head), el("tbody", {}, ...rows)),
      el("p", { class: "hall-muted", text: "底色标出的行各套餐不同。" })));
  }

  function rendition(html) {
    // The web rendition: HTML sanitized by the CMS (renditions/web.py), shown as given.
    const holder = el("div", { class: "hall-rendition", "data-rendition": true });
    holder.innerHTML = html;
    return holder;
  }

  async function packagePage(code) {
    const data = await run("web_package_page", { code });
    if (!data.package) return show(el("p", { class: "hall-error", "data-error": "NOT_FOUND", text: `没有套餐 ${code}` }));
    show(rendition(data.package.rendition.html),
      el("p", {}, el("a", { href: "#/packages", text: "‹ 全部套餐" })));
  }

  async function articlePage(code) {
    const data = await run("web_article", { code });
    if (!data.article) return show(el("p", { class: "hall-error", "data-error": "NOT_FOUND", text: `没有资讯 ${code}` }));
    show(rendition(data.article.rendition.html), el("p", {}, el("a", { href: "#/", text: "‹ 首页" })));
  }

  // --- Search and suggestions ----------------------------------------------------------

  function resultLink(hit) {
    if (hit.article) return route("article", hit.article.code);
    if (hit.package) return route("package", hit.package.code);
    if (hit.business) return route("shelf", "business", "");
    return null;
  }

  async function searchPage(text) {
    document.querySelector("[data-search-input]").value = text;
    const data = await run("search", { text, channel: "WEB", first: 20 });
    const hits = data.search.edges.map(({ node }) => {
      const href = resultLink(node);
      const title = href ? el("a", { href, text: node.title }) : el("strong", { text: node.title });
      return el("li", { "data-hit": `${node.kind}:${node.code}` },
        el("span", { class: "hall-muted", text: `[${KIND_LABELS[node.kind] || node.kind}] ` }), title, snippet(node.snippet));
    });
    const summary = el("p", { class: "hall-muted", text: `共 ${data.search.totalCount} 条结果` });
    show(section(`搜索:${text}`, "search", summary, el("ul", { class: "hall-results" }, ...hits)));
  }

  function setUpSearch() {
    const form = document.querySelector("[data-search-form]");
    const input = document.querySelector("[data-search-input]");
    const list = document.querySelector("[data-suggestions]");
    let timer = null;
    let asked = 0;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      list.hidden = true;
      const text = input.value.trim();
      if (text) location.hash = route("search", text);
    });
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const prefix = input.value.trim();
      if (!prefix || prefix.length > 32) {
        list.hidden = true;
        return;
      }
      timer = setTimeout(async () => {
        const mine = ++asked;
        try {
          const data = await run("suggest", { prefix });
          if (mine !== asked) return; // a later keystroke's answer wins
          list.replaceChildren(...data.suggest.suggestions.map((s) => {
            const item = el("li", { "data-suggestion": s.text }, s.text, el("small", { text: KIND_LABELS[s.kind] || "" }));
            item.addEventListener("mousedown", (event) => {
              event.preventDefault();
              input.value = s.text;
              list.hidden = true;
              location.hash = route("search", s.text);
            });
            return item;
          }));
          list.hidden = !data.suggest.suggestions.length;
        } catch (exc) {
          list.hidden = true;
        }
      }, 150);
    });
    input.addEventListener("blur", () => { list.hidden = true; });
  }

  // --- Routing -------------------------------------------------------------------------

  async function render() {
    const parts = location.hash.replace(/^#\/?/, "").split("/").map((part) => decodeURIComponent(part));
    const [page, ...rest] = parts;
    view().dataset.ready = "false";
    markCurrent();
    try {
      if (!page) await home();
      else if (page === "packages") await packageList("");
      else if (page === "shelf" && rest[0] === "business") await businessShelf(rest[1] || "");
      else if (page === "shelf") await packageList(rest[1] || "");
      else if (page === "compare") await comparison((rest[0] || "").split(",").filter(Boolean));
      else if (page === "package") await packagePage(rest[0]);
      else if (page === "article") await articlePage(rest[0]);
      else if (page === "search") await searchPage(rest[0] || "");
      else show(el("p", { class: "hall-error", "data-error": "NOT_FOUND", text: "页面不存在" }));
    } catch (exc) {
      show(failure(exc));
    }
  }

  async function start() {
    const response = await fetch("config.json", { cache: "no-store" });
    config = await response.json();
    try {
      const data = await run("viewer", {});
      const web = data.viewer.accounts.find((account) => account.type === "WEB");
      webAccount = web ? web.code : null;
    } catch (exc) {
      show(failure(exc));
      return;
    }
    setUpSearch();
    window.addEventListener("hashchange", render);
    await Promise.all([renderNavigation(), render()]);
  }

  document.addEventListener("DOMContentLoaded", () => {
    start().catch((exc) => show(failure(exc)));
  });
})();
