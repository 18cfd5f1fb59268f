from .drift import AccountDrift
from .publications import FINISHED_STATES, OPEN_STATES, Publication, PublicationAttempt, PublishBatch, State
from .webhooks import Delivery, DeliveryAttempt, WebhookEndpoint

__all__ = [
    "FINISHED_STATES",
    "OPEN_STATES",
    "AccountDrift",
    "Delivery",
    "DeliveryAttempt",
    "Publication",
    "PublicationAttempt",
    "PublishBatch",
    "State",
    "WebhookEndpoint",
]
