"""What an account holds, read for drift checks: its published articles
(freepublish/batchget, every page) and its permanent material counts
(material/get_materialcount)."""

PAGE = 20  # freepublish/batchget answers at most 20 items


class InventoryCalls:
    def published_article_ids(self) -> list[str]:
        """article_ids of everything published on the account, newest first."""
        found, offset = [], 0
        while True:
            answer = self._call("freepublish/batchget", json_body={"offset": offset, "count": PAGE, "no_content": 1})
            items = answer.get("item") or []
            found.extend(str(item["article_id"]) for item in items)
            offset += len(items)
            if not items or offset >= int(answer.get("total_count") or 0):
                return found

    def material_counts(self) -> dict:
        """{"image": n, "voice": n, "video": n, "news": n} of permanent materials."""
        answer = self._call("material/get_materialcount", "GET")
        return {kind: int(answer.get(f"{kind}_count") or 0) for kind in ("image", "voice", "video", "news")}
