from django.apps import AppConfig


class WeChatConfig(AppConfig):
    name = "wechat"
    label = "wechat"
    verbose_name = "微信接口"
    default_auto_field = "django.db.models.BigAutoField"
