"""No production module over ~400 lines: a longer one holds more than one thing
and is asking to be split by what it holds (as wechat/client.py was into wechat/calls/)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("api", "callback", "cms", "content", "importing", "media", "menus", "notices", "publishing", "renditions", "wechat")
MAX_LINES = 400


def test_no_production_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these by what they hold: {long}"


def test_the_wechat_client_keeps_its_public_api():
    from wechat.client import WeChatClient, client_for_account  # noqa: F401

    calls = {
        "access_token", "upload_body_image", "add_cover", "forget_upload", "add_draft", "update_draft",
        "count_drafts", "get_draft", "delete_draft", "find_draft", "submit_publish", "get_publish",
        "wait_for_publish", "create_menu", "add_conditional_menu", "delete_conditional_menu", "delete_menu",
        "get_menu", "add_template", "list_templates", "delete_template", "ensure_template", "send_template_message",
    }
    assert calls <= set(dir(WeChatClient))
