// The reference web hall: reads the CMS's GraphQL API through persisted queries only
// (GET /graphql/?id=<sha256>&variables=..., docs/web-hall.md), with the token that
// config.json hands out. Rendition HTML is shown as the API gives it (sanitized by the
// CMS); everything else is written as text, never as markup. This module holds the
// catalogue pages, search and the routing; hall.js the API and DOM, home.js the home page.

import { el, failure, hall, packageTile, route, run, section, show, snippet } from "./hall.js";
import { home, markCurrent, renderNavigation } from "./home.js";

const view = () => document.querySelector("[data-view]");

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

// --- Packages: list, shelf, comparison, detail ---------------------------------------

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
  hall.config = await response.json();
  try {
    const data = await run("viewer", {});
    const web = data.viewer.accounts.find((account) => account.type === "WEB");
    hall.webAccount = web ? web.code : null;
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
