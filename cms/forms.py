"""Admin form of API clients: accounts limited to the editor's organisations and
checked against the client's organisation by the one rule in cms.callers.clients."""

from django.core.exceptions import ValidationError

from cms.callers.clients import validate_accounts
from content.models import ChannelAccount
from content.permissions import scope_for_user, visible
from content.viewsets import OrganisationOwnedForm


class ApiClientForm(OrganisationOwnedForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("accounts")
        if field is not None and for_user is not None:
            field.queryset = visible(ChannelAccount.objects.filter(enabled=True), scope_for_user(for_user)).order_by("code")

    def clean(self):
        cleaned = super().clean()
        organisation, accounts = cleaned.get("organisation"), cleaned.get("accounts")
        if organisation is not None and accounts is not None:
            try:
                validate_accounts(organisation, list(accounts))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned
