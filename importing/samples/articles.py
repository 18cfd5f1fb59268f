"""Articles of the material library: the province's shared down to branches,
branches' shared down to their outlets, with a cover, inline image references
(``<img data-image="IMG0001">``), related packages and, for a few, a publication
date ahead (they arrive scheduled)."""

import datetime

from .vocabulary import ARTICLE_PARAGRAPHS, ARTICLE_SUBJECTS, AUTHORS, CITIES, PROVINCE_CODE

# Seven sets: prime to the owner's cycle (five) and the branches' (three), so every
# owner gets every set.
CHANNEL_SETS = (
    ["wechat_official_account"],
    ["wechat_official_account", "web"],
    ["web", "wechat_miniprogram"],
    [],  # every channel
    ["wechat_official_account", "wechat_miniprogram", "sms"],  # every channel but the web
    ["wechat_official_account", "wechat_miniprogram"],
    ["web", "sms"],
)
SCHEDULED_FROM = datetime.datetime(2030, 3, 2, 9, 0)


def _owner(index, orgs):
    """Two in five articles are the province's, the rest a branch's; outlets publish
    what their branch shares down to them."""
    branches = [o for o in orgs if o["level"] == "branch"]
    if index % 5 < 2 or not branches:
        return orgs[0]
    return branches[index % len(branches)]


def _share_to(rng, org, orgs):
    below = [o["code"] for o in orgs if o["parent"] == org["code"]]
    if not below or rng.random() < 0.3:
        return []
    return below if rng.random() < 0.5 else sorted(rng.sample(below, max(1, len(below) // 2)))


def _body(rng, title, inline):
    paragraphs = rng.sample(ARTICLE_PARAGRAPHS, 3)
    parts = [f"<h2>{title}</h2>", f"<p>{paragraphs[0]}</p>"]
    if inline:
        parts.append(f'<p><img data-image="{inline[0]}" alt="配图"></p>')
    parts.append(f"<p>{paragraphs[1]}<strong>详询10086。</strong></p>")
    parts.append("<ul><li>线上办理:中国移动App</li><li>线下办理:就近营业厅</li></ul>")
    if len(inline) > 1:
        parts.append(f'<p>活动现场<img data-image="{inline[1]}" alt="现场"></p>')
    parts.append(f'<p>{paragraphs[2]}<a href="https://sx.10086.cn/activity">活动详情</a></p>')
    return "".join(parts)


def _publish_at(index):
    """Published articles carry no date (they go live on import); every 25th is
    scheduled ahead and arrives scheduled."""
    if index % 25:
        return None
    moment = SCHEDULED_FROM + datetime.timedelta(days=index % 90, hours=index % 8)
    return moment.isoformat() + "+08:00"


def articles(rng, scale, orgs, readable, packages):
    city = {o["code"]: CITIES[(int(o["code"].split("-")[1]) - 1) % len(CITIES)] for o in orgs if o["code"] != PROVINCE_CODE}
    package_codes = [p["code"] for p in packages]
    out = []
    for i in range(1, scale.articles + 1):
        org = _owner(i, orgs)
        subject = ARTICLE_SUBJECTS[rng.randrange(len(ARTICLE_SUBJECTS))]
        title = f"【{city[org['code']]}】{subject}" if org["code"] in city else subject
        images = readable[org["code"]]
        picked = rng.sample(images, min(3, len(images))) if images else []
        out.append({
            "code": f"ART{i:05d}",
            "title": f"{title}({i})",
            "author": AUTHORS[rng.randrange(len(AUTHORS))],
            "org": org["code"],
            "share_to": _share_to(rng, org, orgs),
            "channels": list(CHANNEL_SETS[i % len(CHANNEL_SETS)]),
            "digest": f"{subject}:{ARTICLE_PARAGRAPHS[i % len(ARTICLE_PARAGRAPHS)][:40]}",
            "cover_image": picked[0] if picked else None,
            "body_html": _body(rng, title, picked[1:]),
            "related_packages": rng.sample(package_codes, min(len(package_codes), i % 3)),
            "publish_at": _publish_at(i),
        })
    return out
