"""Template messages (template/*, message/template/send): a definition added from
WeChat's library once per account (``TemplateBinding``), messages sent without duplicates."""

import uuid
from collections.abc import Sequence

from ..models import TemplateBinding


class TemplateCalls:
    def add_template(self, template_id_short: str, keyword_names: Sequence[str] = ()) -> str:
        body = {"template_id_short": template_id_short, "keyword_name_list": list(keyword_names)}
        return self._call("template/api_add_template", json_body=body)["template_id"]

    def list_templates(self) -> list[dict]:
        return self._call("template/get_all_private_template", "GET").get("template_list", [])

    def delete_template(self, template_id: str) -> None:
        self._call("template/del_private_template", json_body={"template_id": template_id})

    def ensure_template(self, code: str, template_id_short: str, keyword_names: Sequence[str] = ()) -> str:
        """The account's template id for definition ``code``, added from the library once."""
        binding = TemplateBinding.objects.filter(app_id=self.app_id, code=code).first()
        if binding and binding.template_id_short == template_id_short:
            return binding.template_id
        template_id = self.add_template(template_id_short, keyword_names)
        TemplateBinding.objects.update_or_create(
            app_id=self.app_id, code=code, defaults={"template_id_short": template_id_short, "template_id": template_id}
        )
        return template_id

    def send_template_message(self, touser: str, template_id: str, data: dict, *, url: str = "",
                              miniprogram: dict | None = None, client_msg_id: str = "") -> str:
        """msgid of a template message; ``client_msg_id`` (generated when omitted) makes
        WeChat drop the duplicate a retry after a lost answer would send."""
        body = {"touser": touser, "template_id": template_id, "data": data,
                "client_msg_id": client_msg_id or uuid.uuid4().hex}
        if url:
            body["url"] = url
        if miniprogram:
            body["miniprogram"] = miniprogram
        return str(self._call("message/template/send", json_body=body)["msgid"])
