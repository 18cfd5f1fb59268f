from .catalogue import Business, Package
from .editorial import EditorialModel, OwnedEditorialModel
from .groups import NewsGroup, NewsGroupEntry
from .library import Article
from .promotions import PromotionEntry, PromotionSlot
from .organisations import Brand, ChannelAccount, EditorProfile, Organisation, OrganisationOwned
from .sms import SmsCommand, SmsTemplate
from .wechat import AutoReply, TemplateMessage, TemplateMessageMapping
from .workflow import OrganisationApprovalTask

__all__ = [
    "Article",
    "AutoReply",
    "Brand",
    "Business",
    "ChannelAccount",
    "EditorProfile",
    "EditorialModel",
    "NewsGroup",
    "NewsGroupEntry",
    "Organisation",
    "OrganisationApprovalTask",
    "OrganisationOwned",
    "OwnedEditorialModel",
    "Package",
    "PromotionEntry",
    "PromotionSlot",
    "SmsCommand",
    "SmsTemplate",
    "TemplateMessage",
    "TemplateMessageMapping",
]
